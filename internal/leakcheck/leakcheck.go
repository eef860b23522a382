// Package leakcheck fails a test binary whose tests left descriptors,
// goroutines or OS threads behind. Each package with kernel tests calls
// it from TestMain:
//
//	func TestMain(m *testing.M) { leakcheck.Main(m) }
//
// After the tests pass it compares the process with the snapshot taken
// before them and, if anything is left, prints what (each descriptor with
// what it points at and, for a socket, its kernel endpoint; each goroutine
// with its stack and where it was started; the thread counts) and exits
// with status 1. Descriptors and goroutines get a few seconds to go away,
// since closing and exiting finish asynchronously. OS threads are never
// given back by the Go runtime, so only growth beyond a slack counts
// (Slack; SCTPDIAL_LEAK_THREAD_SLACK overrides it), and not at all in a
// run with -test.bench, whose blocking contenders hold a thread per
// pending call on purpose. SCTPDIAL_LEAKCHECK=0
// turns the check off, for debugging.
package leakcheck

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Slack is how many more OS threads than at the start the process may
// have after its tests: the runtime keeps every thread it ever started (an
// M for each syscall that blocked at once), and a goroutine that exits
// while locked to a thread (netlab's namespace switches) takes it along.
const Slack = 32

// settle is how long descriptors and goroutines get to go away (a
// variable so that this package's tests can shorten it).
var settle = 5 * time.Second

// Main runs the tests of m, checks for leaks and exits.
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run runs the tests of m and returns the exit status: m.Run's, or 1 if
// the tests passed but leaked.
func Run(m *testing.M) int {
	if os.Getenv("SCTPDIAL_LEAKCHECK") == "0" {
		return m.Run()
	}
	before := Take()
	code := m.Run()
	if code != 0 {
		// A failed test may have stopped before its cleanup: its leaks
		// would only hide the real failure.
		return code
	}
	slack := threadSlack()
	if benchmarking() {
		// Benchmarks measure blocking contenders on purpose (a thread per
		// pending dial): threads they leave are not the tests' leaks.
		slack = 1 << 30
	}
	if r := before.Check(slack); r != "" {
		fmt.Fprint(os.Stderr, r)
		return 1
	}
	if testing.Verbose() {
		fmt.Fprintf(os.Stderr, "leakcheck: nothing left behind (%d descriptors; OS threads %d → %d)\n", len(before.fds), before.threads, threads())
	}
	return 0
}

// benchmarking reports whether go test was asked to run benchmarks.
func benchmarking() bool {
	f := flag.Lookup("test.bench")
	return f != nil && f.Value.String() != ""
}

func threadSlack() int {
	if v, err := strconv.Atoi(os.Getenv("SCTPDIAL_LEAK_THREAD_SLACK")); err == nil && v >= 0 {
		return v
	}
	return Slack
}

// Snapshot is the state of the process that leaks are measured from.
type Snapshot struct {
	fds     map[int]string // descriptor → what it points at
	threads int
	ignore  goleak.Option
}

// Take records the process's descriptors, goroutines and thread count.
// It first starts the runtime's network poller, whose descriptors stay
// open for the life of the process once a test uses it.
func Take() *Snapshot {
	startPoller()
	return &Snapshot{fds: openFDs(), threads: threads(), ignore: goleak.IgnoreCurrent()}
}

// startPoller makes the runtime open its epoll descriptor (and the
// eventfd that wakes it): a pipe's non-blocking end joins the poller.
func startPoller() {
	r, w, err := os.Pipe()
	if err == nil {
		r.Close()
		w.Close()
	}
}

// Check reports what the process has more than at s, waiting up to a few
// seconds for descriptors and goroutines to go away; threads beyond
// slack count as leaked. It returns "" when nothing leaked.
func (s *Snapshot) Check(slack int) string {
	var b strings.Builder
	var fds []int
	for deadline := time.Now().Add(settle); ; {
		fds = s.newFDs()
		if len(fds) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(fds) > 0 {
		fmt.Fprintf(&b, "leakcheck: %d descriptor(s) opened by the tests are still open:\n", len(fds))
		for _, fd := range fds {
			describeFD(&b, fd)
		}
	}
	// goleak.Find itself retries for about two seconds.
	var err error
	for deadline := time.Now().Add(settle); ; {
		if err = goleak.Find(s.ignore); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		fmt.Fprintf(&b, "leakcheck: goroutines started by the tests are still running:\n%v\n", err)
	}
	if n := threads(); s.threads >= 0 && n > s.threads+slack {
		fmt.Fprintf(&b, "leakcheck: OS threads grew from %d to %d, more than the %d allowed (SCTPDIAL_LEAK_THREAD_SLACK): a blocking syscall or a goroutine locked to its thread?\n", s.threads, n, slack)
	}
	return b.String()
}

// newFDs lists the descriptors open now that were not open at s, or that
// point elsewhere now, leaving out the files of go test's output flags.
func (s *Snapshot) newFDs() []int {
	var out []int
	outputs := outputFiles()
	for fd, target := range openFDs() {
		if old, ok := s.fds[fd]; (!ok || old != target) && !outputs[target] {
			out = append(out, fd)
		}
	}
	slices.Sort(out)
	return out
}

// outputFlags are go test's flags that name a file the testing package
// writes. It leaves some of them open until the process exits (the CPU
// profile's, the execution trace's): they are not the tests' leaks.
var outputFlags = []string{"test.cpuprofile", "test.memprofile", "test.blockprofile", "test.mutexprofile", "test.trace", "test.coverprofile", "test.testlogfile"}

// outputFiles returns the absolute paths of the files outputFlags name,
// relative ones taken from -test.outputdir as the testing package does.
func outputFiles() map[string]bool {
	dir := ""
	if f := flag.Lookup("test.outputdir"); f != nil {
		dir = f.Value.String()
	}
	files := map[string]bool{}
	for _, name := range outputFlags {
		f := flag.Lookup(name)
		if f == nil || f.Value.String() == "" {
			continue
		}
		path := f.Value.String()
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		if abs, err := filepath.Abs(path); err == nil {
			files[abs] = true
			// /proc/self/fd shows the path with symbolic links resolved.
			if real, err := filepath.EvalSymlinks(abs); err == nil {
				files[real] = true
			}
		}
	}
	return files
}
