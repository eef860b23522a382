package sctpdial

import (
	"encoding/binary"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// waitWatch records the dials waiting on the poller (testHookWaiting), so
// that a test can describe one that waits too long: what the kernel says
// of its association while the goroutine still waits.
type waitWatch struct {
	mu      sync.Mutex
	next    int
	waiting map[int]waitingDial // by a number of its own: descriptors are reused
}

type waitingDial struct {
	fd    int
	since time.Time
}

// newWaitWatch installs the hook; stop removes it.
func newWaitWatch() *waitWatch {
	w := &waitWatch{waiting: map[int]waitingDial{}}
	hook := func(fd int) func() {
		w.mu.Lock()
		id := w.next
		w.next++
		w.waiting[id] = waitingDial{fd, time.Now()}
		w.mu.Unlock()
		return func() {
			w.mu.Lock()
			delete(w.waiting, id)
			w.mu.Unlock()
		}
	}
	testHookWaiting.Store(&hook)
	return w
}

func (w *waitWatch) stop() { testHookWaiting.Store(nil) }

// report describes every dial waiting longer than min: getpeername (up
// only once ESTABLISHED), what poll says now, the local address, and the
// association's line in /proc/net/sctp/assocs (its ST column is the
// state; SCTP_STATUS answers EINVAL on a one-to-one socket until
// ESTABLISHED). A dial that returned meanwhile may have left its
// descriptor to another socket: the line then describes that one.
func (w *waitWatch) report(min time.Duration) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	assocs := strings.Split(procFile("/proc/net/sctp/assocs"), "\n")
	var sb strings.Builder
	for _, d := range w.waiting {
		age := time.Since(d.since)
		if age < min {
			continue
		}
		pfd := []unix.PollFd{{Fd: int32(d.fd), Events: unix.POLLIN | unix.POLLOUT}}
		unix.Poll(pfd, 0)
		local := sockname(d.fd)
		fmt.Fprintf(&sb, "fd %d waiting %v: established %v, poll revents %#x, local %v\n",
			d.fd, age.Round(time.Millisecond), isEstablished(d.fd), pfd[0].Revents, local)
		for _, line := range assocs {
			if f := strings.Fields(line); len(f) > 12 && f[11] == strconv.Itoa(int(local.Port())) {
				fmt.Fprintf(&sb, "  %s\n", line)
			}
		}
	}
	return sb.String()
}

// memInfo describes a socket's memory (SO_MEMINFO): receive memory in
// use and its limit, the backlog of packets that arrived while the socket
// was locked, and the packets dropped for lack of room.
func memInfo(rc syscall.RawConn) string {
	var s string
	rc.Control(func(fd uintptr) {
		var b [4 * unix.SK_MEMINFO_VARS]byte
		if _, err := getsockopt(int(fd), unix.SOL_SOCKET, unix.SO_MEMINFO, b[:]); err != nil {
			s = err.Error()
			return
		}
		m := func(i int) uint32 { return binary.NativeEndian.Uint32(b[4*i:]) }
		s = fmt.Sprintf("rmem %d of %d, backlog %d, drops %d", m(unix.SK_MEMINFO_RMEM_ALLOC), m(unix.SK_MEMINFO_RCVBUF), m(unix.SK_MEMINFO_BACKLOG), m(unix.SK_MEMINFO_DROPS))
	})
	return s
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
