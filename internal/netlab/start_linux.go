package netlab

// TB is the part of testing.TB that Start uses, so that this package does
// not import testing.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
	Cleanup(func())
}

// Start builds a Lab for a test and tears it down when the test ends; it
// fails the test if the Lab cannot be built.
func Start(t TB, f Family) *Lab {
	t.Helper()
	l, err := New(f)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Logf("netlab teardown: %v", err)
		}
	})
	return l
}
