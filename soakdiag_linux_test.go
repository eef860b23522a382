package sctpdial

import (
	"encoding/binary"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// waitWatch records the dials waiting on the poller (testHookWaiting), so
// that a test can describe one that waits too long: what the kernel says
// of its association while the goroutine still waits.
type waitWatch struct {
	mu    sync.Mutex
	start map[int]time.Time
}

func newWaitWatch() *waitWatch {
	w := &waitWatch{start: map[int]time.Time{}}
	testHookWaiting = func(fd int) func() {
		w.mu.Lock()
		w.start[fd] = time.Now()
		w.mu.Unlock()
		return func() {
			w.mu.Lock()
			delete(w.start, fd)
			w.mu.Unlock()
		}
	}
	return w
}

// stop removes the hook.
func (w *waitWatch) stop() { testHookWaiting = nil }

// report describes every dial waiting longer than min: the association's
// state, getpeername, what poll says now.
func (w *waitWatch) report(min time.Duration) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var sb strings.Builder
	for fd, t := range w.start {
		age := time.Since(t)
		if age < min {
			continue
		}
		var b [sizeofStatus]byte
		state := "?"
		if _, err := getsockopt(fd, solSCTP, sctpStatus, b[:]); err != nil {
			state = err.Error()
		} else {
			state = AssocState(binary.NativeEndian.Uint32(b[4:])).String()
		}
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN | unix.POLLOUT}}
		unix.Poll(pfd, 0)
		fmt.Fprintf(&sb, "fd %d waiting %v: state %s, established %v, poll revents %#x, local %v\n",
			fd, age.Round(time.Millisecond), state, isEstablished(fd), pfd[0].Revents, sockname(fd))
	}
	return sb.String()
}

// stacks returns the stacks of the goroutines in waitConnected.
func stacks() string {
	buf := make([]byte, 8<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "waitConnected") {
			out = append(out, g)
		}
	}
	return strings.Join(out, "\n\n")
}

// procFile returns a /proc file's text, or why it could not be read.
func procFile(name string) string {
	b, err := os.ReadFile(name)
	if err != nil {
		return err.Error()
	}
	return string(b)
}
