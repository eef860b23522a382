package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// testdata/sample.json is `go test -json ./...` over four packages: one
// passing with skips and subtests, one with a failing test, one without
// test files, one that does not build.
func TestSummary(t *testing.T) {
	in, err := os.ReadFile("testdata/sample.json")
	require.NoError(t, err)
	tests := []struct {
		name        string
		verbose     bool
		want, never []string
	}{
		{
			name: "quiet",
			want: []string{
				"ok  \texample.com/samp/a",
				"undefined: undefined", // build error
				"=== RUN   TestBad\n    b_test.go:6: context line\n    b_test.go:6: wanted 1, got 2\n--- FAIL: TestBad", // failing test's output
				"FAIL\texample.com/samp/b",
				"example.com/samp/a       ok         3     0     2",
				"example.com/samp/b       FAIL       1     1     0",
				"example.com/samp/broken  FAIL       0     0     0",
				"example.com/samp/c       ?          0     0     0",
				"4 packages (2 FAIL): 4 passed, 1 failed, 2 skipped",
				"skipped:\n  example.com/samp/a TestSkip: a_test.go:6: kernel SCTP unavailable: modprobe sctp\n  example.com/samp/a TestSubs/two: a_test.go:9: not here\n",
			},
			never: []string{"quiet", "=== RUN   TestPass", "--- PASS"},
		},
		{
			name:    "verbose",
			verbose: true,
			want:    []string{"a_test.go:5: quiet", "--- PASS: TestSubs/one", "--- FAIL: TestBad", "4 packages (2 FAIL): 4 passed, 1 failed, 2 skipped"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			s := newSummary(&out, tt.verbose)
			require.NoError(t, s.read(bytes.NewReader(in)))
			s.print()
			for _, w := range tt.want {
				require.Contains(t, out.String(), w)
			}
			for _, n := range tt.never {
				require.NotContains(t, out.String(), n)
			}
			require.Regexp(t, regexp.MustCompile(`in test binaries, \d+\.\ds in all\n`), out.String())
		})
	}
}

func TestSummaryPassesTextAndCrashes(t *testing.T) {
	in := "go: warning: text, not JSON\n" +
		`{"Action":"start","Package":"p"}` + "\n" +
		`{"Action":"run","Package":"p","Test":"TestHang"}` + "\n" +
		`{"Action":"output","Package":"p","Test":"TestHang","Output":"=== RUN   TestHang\n"}` + "\n" +
		`{"Action":"output","Package":"p","Output":"vmexec: guest still running after 1m0s: killed\n"}` + "\n" +
		`{"Action":"fail","Package":"p","Elapsed":61.5}` + "\n"
	var out bytes.Buffer
	s := newSummary(&out, false)
	require.NoError(t, s.read(strings.NewReader(in)))
	s.print()
	require.Contains(t, out.String(), "go: warning: text, not JSON\n")
	require.Contains(t, out.String(), "=== RUN   TestHang\nvmexec: guest still running")
	require.Contains(t, out.String(), "p        FAIL       0     0     0    61.5s")
}

func TestRunArgs(t *testing.T) {
	in, err := os.ReadFile("testdata/sample.json")
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, run([]string{"-run", "X", "-json"}, bytes.NewReader(in), &out))
	require.Equal(t, string(in), out.String(), "-json passes the events through")

	out.Reset()
	require.NoError(t, run([]string{"-count=1", "-v"}, bytes.NewReader(in), &out))
	require.Contains(t, out.String(), "a_test.go:5: quiet")
	require.Contains(t, out.String(), "4 packages: 4 passed")
}
