package sctpdial

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sctpdial/sctpdial/internal/netlab"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// goneResult is what one blocked or later call returned, and how long it
// took.
type goneResult struct {
	op  string
	err error
	d   time.Duration
}

// requireClearEnd fails unless err is one of the errors a Conn may report
// once its association is gone (want, or the io.EOF or EPIPE of a call
// that comes after the cause was reported), rather than a deadline, a
// poller error without an errno ("not pollable") or success.
func requireClearEnd(t *testing.T, r goneResult, want ...error) {
	t.Helper()
	require.Error(t, r.err, "%s returned no error after the association ended", r.op)
	// Not Timeout(): an ETIMEDOUT errno says true too.
	require.NotErrorIs(t, r.err, os.ErrDeadlineExceeded, "%s waited for its deadline (%v)", r.op, r.d)
	require.NotContains(t, r.err.Error(), "not pollable", "%s: a poller error instead of the socket's", r.op)
	for _, w := range want {
		if errors.Is(r.err, w) {
			return
		}
	}
	t.Fatalf("%s: %v, want one of %v", r.op, r.err, want)
}

// requireStableEnd checks that reads and writes after the end return at
// once, every time: io.EOF for Read and ReadMsg, EPIPE for Write and
// WriteMsg, as a TCPConn does after a reset or a timeout.
func requireStableEnd(t *testing.T, c *Conn) {
	t.Helper()
	require.NoError(t, c.SetDeadline(time.Now().Add(5*time.Second)))
	buf := make([]byte, 64)
	for i := range 3 {
		start := time.Now()
		_, err := c.Read(buf)
		require.ErrorIs(t, err, io.EOF, "Read %d after the end", i)
		_, _, err = c.ReadMsg(buf)
		require.ErrorIs(t, err, io.EOF, "ReadMsg %d after the end", i)
		_, err = c.Write([]byte("x"))
		require.ErrorIs(t, err, syscall.EPIPE, "Write %d after the end", i)
		_, err = c.WriteMsg([]byte("x"), &MsgInfo{Stream: 1})
		require.ErrorIs(t, err, syscall.EPIPE, "WriteMsg %d after the end", i)
		require.Less(t, time.Since(start), time.Second, "calls after the end must not wait")
	}
}

// blockedRead starts a Read on c that waits (nothing is sent to it) and
// returns where its result arrives.
func blockedRead(c *Conn) <-chan goneResult {
	ch := make(chan goneResult, 1)
	go func() {
		start := time.Now()
		_, err := c.Read(make([]byte, 64))
		ch <- goneResult{"Read", err, time.Since(start)}
	}()
	return ch
}

// blockedWrite writes to c until a Write blocks (the peer acknowledges
// nothing) and returns where the error that ends the loop arrives.
func blockedWrite(c *Conn) <-chan goneResult {
	ch := make(chan goneResult, 1)
	go func() {
		msg := make([]byte, 1024)
		start := time.Now()
		for {
			if _, err := c.Write(msg); err != nil {
				ch <- goneResult{"Write", err, time.Since(start)}
				return
			}
		}
	}()
	return ch
}

// await waits for a blocked call's result, failing if it takes longer
// than limit.
func await(t *testing.T, ch <-chan goneResult, limit time.Duration) goneResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(limit):
		t.Fatalf("a blocked call did not return within %v after the association ended", limit)
		return goneResult{}
	}
}

// TestConnBlockedReadPeerEnd: a Read waiting when the peer ends the
// association returns at once, with ECONNRESET after an ABORT and io.EOF
// after a graceful SHUTDOWN; every later call returns at once and the
// same way.
func TestConnBlockedReadPeerEnd(t *testing.T) {
	requireSCTP(t)
	tests := []struct {
		name  string
		abort bool
		want  error
	}{
		{"abort", true, syscall.ECONNRESET},
		{"shutdown", false, io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkNoLeaks(t)
			dialed, accepted := dialPair(t)
			if tt.abort {
				abortOnClose(t, accepted)
			}
			require.NoError(t, dialed.SetDeadline(time.Now().Add(10*time.Second)))
			rd := blockedRead(dialed)
			time.Sleep(50 * time.Millisecond) // let the Read wait in the poller
			require.NoError(t, accepted.Close())
			r := await(t, rd, 5*time.Second)
			requireClearEnd(t, r, tt.want)
			require.Less(t, r.d, 2*time.Second)
			requireStableEnd(t, dialed)
		})
	}
}

// TestConnAllPathsDown: both paths of a two-path association are cut, with
// timers tuned so that the kernel gives the association up within about
// a second (COMM_LOST). A Read waiting at that moment, alone or together
// with a Write blocked on a full send buffer, returns the kernel's
// ETIMEDOUT, or io.EOF or EPIPE when the other call took it first, well
// before its deadline; it never waits for the deadline or reports a
// poller error without errno. Every later call returns at once: io.EOF
// for reads, EPIPE for writes.
func TestConnAllPathsDown(t *testing.T) {
	requireGuest(t)
	tests := []struct {
		name              string
		idle              bool // no call pending when the association ends
		withWrite, notify bool
	}{
		// Nothing pending: the end raises EPOLLERR alone, which the
		// runtime poller keeps as "not pollable" for the next Read.
		{"idle", true, false, false},
		{"idle/notify", true, false, true},
		// Without a subscription the end raises EPOLLERR alone, which
		// the runtime poller reports as "not pollable".
		{"read", false, false, false},
		{"read+write", false, true, false},
		// With SCTP_ASSOC_CHANGE subscribed, COMM_LOST wakes the reader.
		{"read/notify", false, false, true},
		{"read+write/notify", false, true, true},
	}
	for _, tt := range tests {
		withWrite := tt.withWrite
		t.Run(tt.name, func(t *testing.T) {
			checkNoLeaks(t)
			lab, c, col := allPathsPair(t, tt.notify)
			require.NoError(t, c.SetDeadline(time.Now().Add(30*time.Second)))
			var rd, wr <-chan goneResult
			if !tt.idle {
				rd = blockedRead(c)
			}
			if withWrite {
				wr = blockedWrite(c)
			}
			time.Sleep(100 * time.Millisecond)
			cut := time.Now()
			require.NoError(t, lab.Cut(0))
			require.NoError(t, lab.Cut(1))
			t.Cleanup(func() {
				lab.Restore(0)
				lab.Restore(1)
			})
			if tt.idle {
				// Wait for the end without reading: SCTP_STATUS finds no
				// association any more.
				for deadline := time.Now().Add(20 * time.Second); ; {
					if _, err := c.Status(); err != nil {
						break
					}
					require.True(t, time.Now().Before(deadline), "the association outlived its cut paths")
					time.Sleep(20 * time.Millisecond)
				}
				time.Sleep(50 * time.Millisecond)
				rd = blockedRead(c)
			}

			r := await(t, rd, 20*time.Second)
			t.Logf("%s after the cut: %v: %v", r.op, time.Since(cut), r.err)
			requireClearEnd(t, r, syscall.ETIMEDOUT, io.EOF, syscall.EPIPE)
			results := []goneResult{r}
			if withWrite {
				w := await(t, wr, 20*time.Second)
				t.Logf("%s after the cut: %v: %v", w.op, time.Since(cut), w.err)
				requireClearEnd(t, w, syscall.ETIMEDOUT, syscall.EPIPE)
				results = append(results, w)
			}
			var cause bool
			for _, r := range results {
				cause = cause || errors.Is(r.err, syscall.ETIMEDOUT)
			}
			require.True(t, cause, "no call reported the kernel's ETIMEDOUT: %v", results)
			requireStableEnd(t, c)
			lost := func() bool {
				for _, n := range col.all() {
					if ac, ok := n.(AssocChange); ok && ac.State == CommLost {
						return true
					}
				}
				return false
			}
			if tt.notify {
				require.True(t, lost(), "no SCTP_COMM_LOST notification: %v", col.all())
			}
		})
	}
}

// allPathsPair builds a two-path lab and an association across it, from
// the client namespace to a listener on both server addresses, with
// timers tuned to give a dead association up quickly: RTOs of 50–200 ms,
// one retransmission per path, two per association, 100 ms heartbeats. It
// returns the lab and the dialed Conn, collecting its AssocChange
// notifications if notify is set.
func allPathsPair(t *testing.T, notify bool) (*netlab.Lab, *Conn, *collector) {
	t.Helper()
	lab := netlab.Start(t, netlab.IPv4)
	for _, ns := range []*netlab.NS{lab.Client, lab.Server} {
		require.NoError(t, ns.Sysctl("net.sctp.association_max_retrans", "2"))
	}
	fast := RTOInfo{Initial: 100 * time.Millisecond, Min: 50 * time.Millisecond, Max: 200 * time.Millisecond}
	paths := PathParams{PathMaxRetrans: 1, HeartbeatInterval: 100 * time.Millisecond}
	var hosts []string
	for _, a := range lab.ServerAddrs() {
		hosts = append(hosts, a.String())
	}
	var ln *Listener
	require.NoError(t, lab.Server.Do(func() (err error) {
		lc := ListenConfig{InitMsg: peerInitMsg, RTO: fast, PathParams: paths}
		ln, err = lc.ListenSCTP(context.Background(), "sctp4", strings.Join(hosts, ",")+":0")
		return err
	}))
	t.Cleanup(func() { ln.Close() })
	port := listenerPort(t, ln)
	var c *Conn
	require.NoError(t, lab.Client.Do(func() (err error) {
		d := Dialer{InitMsg: peerInitMsg, RTO: fast, PathParams: paths, Timeout: 10 * time.Second}
		c, err = d.DialSCTP(context.Background(), "sctp4", hostPortList(port, hosts...))
		return err
	}))
	t.Cleanup(func() { c.Close() })
	col := new(collector)
	if notify {
		require.NoError(t, c.SetNotificationHandler(EventAssocChange, col.handle))
	}
	peer, err := ln.AcceptSCTP()
	require.NoError(t, err)
	t.Cleanup(func() { peer.Close() })
	return lab, c, col
}

// stuckPoller is a RawConn whose Read fails every wait as the runtime
// poller does after a wakeup with EPOLLERR alone ("not pollable", until
// another event arrives), while still reporting deadlines and Close as
// the real one does.
type stuckPoller struct {
	syscall.RawConn
	stuck atomic.Bool
}

var errNotPollable = errors.New("not pollable")

func (p *stuckPoller) Read(f func(uintptr) bool) error {
	if !p.stuck.Load() {
		return p.RawConn.Read(f)
	}
	if err := p.RawConn.Read(func(uintptr) bool { return true }); err != nil {
		return err
	}
	return errNotPollable
}

// TestConnReadPollFault: when the poller fails a Read's wait without an
// errno, the Read answers as a blocking socket would: the socket's
// pending error (ECONNRESET after an ABORT) and then io.EOF, at once; on
// a live association, the data once it arrives, the deadline, or
// net.ErrClosed after Close.
func TestConnReadPollFault(t *testing.T) {
	requireSCTP(t)
	stick := func(t *testing.T, c *Conn) *stuckPoller {
		p := &stuckPoller{RawConn: c.rc}
		p.stuck.Store(true)
		c.rc = p
		return p
	}
	t.Run("abort", func(t *testing.T) {
		checkNoLeaks(t)
		dialed, accepted := dialPair(t)
		abortOnClose(t, accepted)
		stick(t, dialed)
		require.NoError(t, accepted.Close())
		require.NoError(t, dialed.SetDeadline(time.Now().Add(10*time.Second)))
		start := time.Now()
		var err2 error
		for time.Since(start) < 5*time.Second {
			// The ABORT takes a moment to arrive: until then the
			// association lives and the Read polls.
			_, err2 = dialed.Read(make([]byte, 64))
			if err2 != nil {
				break
			}
		}
		requireClearEnd(t, goneResult{"Read", err2, time.Since(start)}, syscall.ECONNRESET)
		requireStableEnd(t, dialed)
	})
	t.Run("data", func(t *testing.T) {
		checkNoLeaks(t)
		dialed, accepted := dialPair(t)
		stick(t, dialed)
		require.NoError(t, dialed.SetDeadline(time.Now().Add(10*time.Second)))
		rd := make(chan error, 1)
		buf := make([]byte, 64)
		var n int
		go func() {
			var err error
			n, err = dialed.Read(buf)
			rd <- err
		}()
		time.Sleep(100 * time.Millisecond)
		_, err := accepted.Write([]byte("late"))
		require.NoError(t, err)
		select {
		case err := <-rd:
			require.NoError(t, err)
			require.Equal(t, "late", string(buf[:n]))
		case <-time.After(5 * time.Second):
			t.Fatal("the Read did not return the data")
		}
	})
	t.Run("deadline", func(t *testing.T) {
		checkNoLeaks(t)
		dialed, _ := dialPair(t)
		stick(t, dialed)
		require.NoError(t, dialed.SetReadDeadline(time.Now().Add(200*time.Millisecond)))
		_, err := dialed.Read(make([]byte, 64))
		require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	})
	t.Run("close", func(t *testing.T) {
		checkNoLeaks(t)
		dialed, _ := dialPair(t)
		stick(t, dialed)
		rd := make(chan error, 1)
		go func() {
			_, err := dialed.Read(make([]byte, 64))
			rd <- err
		}()
		time.Sleep(100 * time.Millisecond)
		require.NoError(t, dialed.Close())
		select {
		case err := <-rd:
			require.ErrorIs(t, err, net.ErrClosed)
		case <-time.After(5 * time.Second):
			t.Fatal("Close did not unblock the Read")
		}
	})
}

// abortOnClose sets SO_LINGER 0 on c, so that its Close sends an ABORT.
func abortOnClose(t *testing.T, c *Conn) {
	t.Helper()
	rc, err := c.SyscallConn()
	require.NoError(t, err)
	require.NoError(t, rc.Control(func(fd uintptr) {
		require.NoError(t, unix.SetsockoptLinger(int(fd), unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0}))
	}))
}
