package sctpdial

import (
	"encoding/binary"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
	assocs := assocRows(procFile("/proc/net/sctp/assocs"))
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
		for _, r := range assocs {
			if r.lport == int(local.Port()) {
				fmt.Fprintf(&sb, "  %s\n", r.line)
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

// describeStranded and strandedReport hold serveEcho's one description of
// an association still open near its deadline.
var (
	describeStranded atomic.Bool
	strandedReport   atomic.Pointer[string]
)

// describeAssoc describes an accepted association for the soak: its
// address lists, status and paths, every line of /proc/net/sctp/assocs
// with its peer's port, and whether the port memory knows that port.
func describeAssoc(c *Conn, accepted time.Time) *string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "accepted %v ago: local %v, remote %v\n", time.Since(accepted).Round(time.Millisecond), c.LocalAddr(), c.RemoteAddr())
	st, err := c.Status()
	fmt.Fprintf(&sb, "status %+v (%v)\n", st, err)
	paths, err := c.Paths()
	for _, p := range paths {
		fmt.Fprintf(&sb, "  path %+v\n", p)
	}
	if err != nil {
		fmt.Fprintf(&sb, "  paths: %v\n", err)
	}
	rport, lport := Port(c.RemoteAddr()), Port(c.LocalAddr())
	for _, r := range assocRows(procFile("/proc/net/sctp/assocs")) {
		if r.lport == rport || r.rport == rport {
			fmt.Fprintf(&sb, "  %s\n", r.line)
		}
	}
	if at, ok := endedEntry(rport, lport); ok {
		fmt.Fprintf(&sb, "the port memory: %d→%d ended %v ago\n", rport, lport, time.Duration(monoNow()-at).Round(time.Millisecond))
	} else {
		fmt.Fprintf(&sb, "the port memory: nothing for %d→%d\n", rport, lport)
	}
	s := sb.String()
	return &s
}

// endedEntry is the port memory's entry for a pair, however old.
func endedEntry(local, peer int) (int64, bool) {
	endedPorts.mu.Lock()
	defer endedPorts.mu.Unlock()
	s, ok := endedPorts.at[portKey(local, peer)]
	return s.at, ok
}

// fdList lists this process's descriptors and what each is (a socket's
// inode is the INODE column of /proc/net/sctp/assocs).
func fdList() string {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return err.Error()
	}
	var sb strings.Builder
	for _, e := range ents {
		target, _ := os.Readlink("/proc/self/fd/" + e.Name())
		fmt.Fprintf(&sb, "fd %s → %s\n", e.Name(), target)
	}
	return sb.String()
}

// assocRow is a line of /proc/net/sctp/assocs with the columns the tests
// read: ST (the association's state, 0 for CLOSED), LPORT and RPORT.
type assocRow struct {
	line         string
	state        string
	lport, rport int
}

// assocRows parses the text of /proc/net/sctp/assocs; the header and any
// short line are left out.
func assocRows(text string) []assocRow {
	var rows []assocRow
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) <= 12 {
			continue
		}
		lport, err1 := strconv.Atoi(f[11])
		rport, err2 := strconv.Atoi(f[12])
		if err1 != nil || err2 != nil {
			continue
		}
		rows = append(rows, assocRow{line: line, state: f[4], lport: lport, rport: rport})
	}
	return rows
}
