package netlab

import "github.com/sctpdial/sctpdial/internal/vmtest"

// SkipTB is the part of testing.TB that Require uses.
type SkipTB interface {
	Helper()
	Fatalf(format string, args ...any)
	Skip(args ...any)
}

// Require skips a test where a Lab cannot be built (outside the guest: not
// root, no veth, netem or SCTP), unless the runner says SCTP must be there
// (SCTPDIAL_REQUIRE_SCTP=1): then it fails the test.
func Require(t SkipTB) {
	t.Helper()
	if vmtest.InGuest() {
		return
	}
	if vmtest.SCTPRequired() {
		t.Fatalf("kernel SCTP is required here (%s=1) but this is not the guest", vmtest.EnvRequireSCTP)
	}
	t.Skip("netlab needs root, veth, netem and SCTP: run through scripts/test.sh (the guest)")
}
