//go:build linux

package sctpdial

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// dialIshi dials an ishidawataru/sctp listener on ips with d (nil: a zero
// Dialer) and returns our end and the accepted peer; both close at
// cleanup. The peer subscribes to sctp_data_io_event so that its SCTPRead
// reports SCTP_SNDRCV.
func dialIshi(t testing.TB, d *Dialer, ips ...string) (*Conn, *sctp.SCTPConn) {
	t.Helper()
	ln, port := listenPeer(t, ips...)
	accepted := make(chan *sctp.SCTPConn, 1)
	go func() {
		defer close(accepted)
		for {
			c, err := ln.AcceptSCTP()
			// A blocking accept(2) is interrupted by the runtime's
			// preemption signals (vm-notes).
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			if err == nil {
				accepted <- c
			}
			return
		}
	}()
	if d == nil {
		d = &Dialer{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := d.DialSCTP(ctx, "sctp", hostPortList(port, append([]string(nil), ips...)...))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	var peer *sctp.SCTPConn
	select {
	case p, ok := <-accepted:
		require.True(t, ok, "accept failed")
		peer = p
	case <-time.After(10 * time.Second):
		t.Fatal("accept did not return")
	}
	t.Cleanup(func() { peer.Close() })
	require.NoError(t, peer.SubscribeEvents(sctp.SCTP_EVENT_DATA_IO))
	return c, peer
}

// dialPair connects two Conns of this package over loopback: ours dialed,
// and the other accepted from a raw non-blocking listener and wrapped with
// newConn. Neither side's I/O allocates, which keeps allocation counts
// clean.
func dialPair(t testing.TB) (dialed, accepted *Conn) {
	t.Helper()
	lfd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_SCTP)
	require.NoError(t, err)
	defer unix.Close(lfd)
	require.NoError(t, unix.Bind(lfd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	require.NoError(t, unix.Listen(lfd, 16)) // listen(fd, 0) would mean "stop listening" on SCTP
	sa, err := unix.Getsockname(lfd)
	require.NoError(t, err)
	port := sa.(*unix.SockaddrInet4).Port

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var d Dialer
	dialed, err = d.DialSCTP(ctx, "sctp", hostPortList(port, "127.0.0.1"))
	require.NoError(t, err)
	t.Cleanup(func() { dialed.Close() })

	// The dial returns once the association is up, so it waits in the
	// accept queue.
	var nfd int
	for deadline := time.Now().Add(10 * time.Second); ; {
		nfd, _, err = unix.Accept4(lfd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		if (err != unix.EAGAIN && err != unix.EINTR) || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	require.NoError(t, err)
	accepted, err = newConn(nfd, "sctp", 0)
	require.NoError(t, err)
	t.Cleanup(func() { accepted.Close() })
	return dialed, accepted
}

// peerReadMsg reads one message on the peer within 10 s (its descriptor
// blocks and has no deadlines, so the read runs in a goroutine).
func peerReadMsg(t testing.TB, p *sctp.SCTPConn, buf []byte) (string, *sctp.SndRcvInfo) {
	t.Helper()
	type result struct {
		n    int
		info *sctp.SndRcvInfo
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		n, info, err := p.SCTPRead(buf)
		ch <- result{n, info, err}
	}()
	select {
	case r := <-ch:
		require.NoError(t, r.err)
		return string(buf[:r.n]), r.info
	case <-time.After(10 * time.Second):
		t.Fatal("peer SCTPRead did not return")
		return "", nil
	}
}

func readDeadline(t testing.TB, c *Conn) {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
}

// TestConnCloseWrite: the peer reads the data and then the end of its
// stream; our pending Read returns io.EOF once the shutdown completes,
// which the kernel alone would never report to this side, and a handler
// that did not ask for AssocChange does not see the one CloseWrite uses.
func TestConnCloseWrite(t *testing.T) {
	requireSCTP(t)
	for _, handler := range []bool{false, true} {
		t.Run(map[bool]string{false: "no handler", true: "SenderDry handler"}[handler], func(t *testing.T) {
			checkNoLeaks(t)
			c, peer := dialIshi(t, nil, "127.0.0.1")
			var col collector
			if handler {
				require.NoError(t, c.SetNotificationHandler(EventSenderDry, col.handle))
			}
			readDeadline(t, c)
			pending := make(chan error, 1)
			go func() {
				_, err := c.Read(make([]byte, 16))
				pending <- err
			}()

			_, err := c.Write([]byte("last words"))
			require.NoError(t, err)
			require.NoError(t, c.CloseWrite())

			buf := make([]byte, 64)
			got, _ := peerReadMsg(t, peer, buf)
			require.Equal(t, "last words", got)
			_, err = peer.Read(buf)
			require.ErrorIs(t, err, io.EOF, "SHUTDOWN is the end of the peer's stream")

			select {
			case err := <-pending:
				require.ErrorIs(t, err, io.EOF)
			case <-time.After(10 * time.Second):
				t.Fatal("pending Read did not return")
			}
			_, err = c.Read(buf)
			require.ErrorIs(t, err, io.EOF, "and stays at the end")

			_, err = c.Write([]byte("more"))
			require.ErrorIs(t, err, syscall.EPIPE)
			var oe *net.OpError
			require.ErrorAs(t, err, &oe)
			require.Equal(t, "write", oe.Op)
			for _, n := range col.all() {
				require.IsType(t, SenderDry{}, n)
			}
		})
	}
}

func TestConnCloseRead(t *testing.T) {
	requireSCTP(t)
	c, _ := dialIshi(t, nil, "127.0.0.1")
	readDeadline(t, c)
	done := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 16))
		done <- err
	}()
	time.Sleep(50 * time.Millisecond) // let the Read wait on the poller
	require.NoError(t, c.CloseRead())
	select {
	case err := <-done:
		require.ErrorIs(t, err, io.EOF)
	case <-time.After(10 * time.Second):
		t.Fatal("CloseRead did not wake the pending Read")
	}
}

func TestConnFile(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	c, peer := dialIshi(t, nil, "127.0.0.1")

	f, err := c.File()
	require.NoError(t, err)
	rc, err := c.SyscallConn()
	require.NoError(t, err)
	require.NoError(t, rc.Control(func(fd uintptr) { require.NotEqual(t, fd, f.Fd()) }))

	_, err = f.Write([]byte("via dup"))
	require.NoError(t, err)
	got, _ := peerReadMsg(t, peer, make([]byte, 64))
	require.Equal(t, "via dup", got)

	// Closing the copy leaves c working.
	require.NoError(t, f.Close())
	_, err = c.Write([]byte("via conn"))
	require.NoError(t, err)
	got, _ = peerReadMsg(t, peer, make([]byte, 64))
	require.Equal(t, "via conn", got)
}

func TestConnSocketOptions(t *testing.T) {
	requireSCTP(t)
	c, _ := dialIshi(t, nil, "127.0.0.1")
	rc, err := c.SyscallConn()
	require.NoError(t, err)
	getInt := func(level, opt int) int {
		var v int
		var gerr error
		require.NoError(t, rc.Control(func(fd uintptr) { v, gerr = unix.GetsockoptInt(int(fd), level, opt) }))
		require.NoError(t, gerr)
		return v
	}

	require.Equal(t, 1, getInt(solSCTP, sctpNoDelay), "the dialer turns SCTP_NODELAY on")
	require.NoError(t, c.SetNoDelay(false))
	require.Equal(t, 0, getInt(solSCTP, sctpNoDelay))
	require.NoError(t, c.SetNoDelay(true))
	require.Equal(t, 1, getInt(solSCTP, sctpNoDelay))

	// The kernel doubles SO_RCVBUF and SO_SNDBUF (socket(7)).
	require.NoError(t, c.SetReadBuffer(96<<10))
	require.Equal(t, 2*96<<10, getInt(unix.SOL_SOCKET, unix.SO_RCVBUF))
	require.NoError(t, c.SetWriteBuffer(80<<10))
	require.Equal(t, 2*80<<10, getInt(unix.SOL_SOCKET, unix.SO_SNDBUF))

	require.NoError(t, c.SetHeartbeat(2*time.Second))
	p, err := c.PathParams()
	require.NoError(t, err)
	require.Equal(t, 2*time.Second, p.HeartbeatInterval)
	require.False(t, p.HeartbeatDisabled)

	require.NoError(t, c.SetHeartbeat(-1))
	p, err = c.PathParams()
	require.NoError(t, err)
	require.True(t, p.HeartbeatDisabled)

	require.NoError(t, c.SetHeartbeat(0))
	p, err = c.PathParams()
	require.NoError(t, err)
	require.False(t, p.HeartbeatDisabled, "zero re-enables")
	require.Equal(t, 2*time.Second, p.HeartbeatInterval, "zero keeps the interval")
}

// TestConnClosedErrors: every method reports net.ErrClosed inside a
// *net.OpError once the Conn is closed.
func TestConnClosedErrors(t *testing.T) {
	requireSCTP(t)
	c, _ := dialIshi(t, nil, "127.0.0.1")
	kept, err := c.SyscallConn()
	require.NoError(t, err)
	require.NoError(t, c.Close())
	calls := map[string]func() error{
		// Empty buffers and a RawConn kept from before Close report the
		// closed Conn too, as package net's TCPConn does.
		"Read(nil)":            func() error { _, err := c.Read(nil); return err },
		"ReadMsg(nil)":         func() error { _, _, err := c.ReadMsg(nil); return err },
		"Write(nil)":           func() error { _, err := c.Write(nil); return err },
		"kept RawConn Control": func() error { return kept.Control(func(uintptr) {}) },
		"kept RawConn Read":    func() error { return kept.Read(func(uintptr) bool { return true }) },
		"kept RawConn Write":   func() error { return kept.Write(func(uintptr) bool { return true }) },
		"Read":                 func() error { _, err := c.Read(make([]byte, 1)); return err },
		"Write":                func() error { _, err := c.Write([]byte("x")); return err },
		"ReadMsg":              func() error { _, _, err := c.ReadMsg(make([]byte, 1)); return err },
		"WriteMsg":             func() error { _, err := c.WriteMsg([]byte("x"), &MsgInfo{PPID: 1}); return err },
		"Close":                c.Close,
		"CloseWrite":           c.CloseWrite,
		"CloseRead":            c.CloseRead,
		"File":                 func() error { _, err := c.File(); return err },
		"Status":               func() error { _, err := c.Status(); return err },
		"Paths":                func() error { _, err := c.Paths(); return err },
		"SetPrimaryAddr":       func() error { return c.SetPrimaryAddr(net.IPv4(127, 0, 0, 1)) },
		"SetNoDelay":           func() error { return c.SetNoDelay(true) },
		"SetReadBuffer":        func() error { return c.SetReadBuffer(1 << 16) },
		"SetWriteBuffer":       func() error { return c.SetWriteBuffer(1 << 16) },
		"SetHeartbeat":         func() error { return c.SetHeartbeat(time.Second) },
		"RTOInfo":              func() error { _, err := c.RTOInfo(); return err },
		"SetRTOInfo":           func() error { return c.SetRTOInfo(RTOInfo{Min: time.Second}) },
		"PathParams":           func() error { _, err := c.PathParams(); return err },
		"SetPathParams":        func() error { return c.SetPathParams(PathParams{PathMaxRetrans: 3}) },
		"SetNotificationHandler": func() error {
			return c.SetNotificationHandler(EventAll, func(Notification) {})
		},
		"IntoSCTPConn": func() error { _, err := c.IntoSCTPConn(); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			require.ErrorIs(t, err, net.ErrClosed)
			var oe *net.OpError
			require.ErrorAs(t, err, &oe)
		})
	}
}

// TestConnCloseRace runs Close against pending and running Reads,
// ReadMsgs, Writes, WriteMsgs and another Close; run it with -race. Every
// call must return, with net.ErrClosed once the Conn is closed, and
// exactly one Close may succeed.
func TestConnCloseRace(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	for i := range 20 {
		a, b := dialPair(t)
		// b echoes nothing; it only keeps the association's window open.
		go io.Copy(io.Discard, b)

		var wg sync.WaitGroup
		errs := make(chan error, 64)
		start := make(chan struct{})
		run := func(f func() error) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs <- f()
			}()
		}
		for range 2 {
			run(func() error {
				buf := make([]byte, 512)
				for {
					if _, err := a.Read(buf); err != nil {
						return err
					}
				}
			})
			run(func() error {
				buf := make([]byte, 512)
				for {
					if _, _, err := a.ReadMsg(buf); err != nil && !errors.Is(err, ErrPartialMessage) {
						return err
					}
				}
			})
			run(func() error {
				msg := make([]byte, 256)
				for {
					if _, err := a.Write(msg); err != nil {
						return err
					}
				}
			})
			run(func() error {
				msg := make([]byte, 256)
				for {
					if _, err := a.WriteMsg(msg, &MsgInfo{Stream: 1, PPID: 60}); err != nil {
						return err
					}
				}
			})
		}
		closeErrs := make(chan error, 2)
		for range 2 {
			go func() {
				<-start
				time.Sleep(time.Duration(i) * 200 * time.Microsecond)
				closeErrs <- a.Close()
			}()
		}
		close(start)

		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("a Read or Write did not return after Close")
		}
		close(errs)
		for err := range errs {
			assert.ErrorIs(t, err, net.ErrClosed)
		}
		e1, e2 := <-closeErrs, <-closeErrs
		require.True(t, (e1 == nil) != (e2 == nil), "exactly one Close succeeds: %v, %v", e1, e2)
		if e1 == nil {
			e1 = e2
		}
		require.ErrorIs(t, e1, net.ErrClosed)
		b.Close()
	}
}

// TestConnConcurrentReaders: Read and ReadMsg share the receive state;
// concurrent calls must still see every byte once.
func TestConnConcurrentReaders(t *testing.T) {
	requireSCTP(t)
	a, b := dialPair(t)
	const msgs, size = 400, 100
	go func() {
		msg := make([]byte, size)
		for i := range msgs {
			msg[0] = byte(i)
			if _, err := a.WriteMsg(msg, &MsgInfo{PPID: uint32(i)}); err != nil {
				return
			}
		}
		a.CloseWrite()
	}()
	readDeadline(t, b)
	var mu sync.Mutex
	total := 0
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, size)
			for {
				var n int
				var err error
				if i%2 == 0 {
					n, err = b.Read(buf)
				} else {
					n, _, err = b.ReadMsg(buf)
				}
				mu.Lock()
				total += n
				mu.Unlock()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Errorf("read: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	require.Equal(t, msgs*size, total)
}

// TestConnAddrsReadOneSide: LocalAddr reads only the local address list
// and RemoteAddr only the peer's (servers call them per connection), and
// both keep the last value once the Conn is closed. The proof is in the
// allocations: each costs no more than reading its own list.
func TestConnAddrsReadOneSide(t *testing.T) {
	requireSCTP(t)
	c, _ := dialPair(t)
	rc, err := c.SyscallConn()
	require.NoError(t, err)
	read := func(opt int) func() {
		return func() {
			rc.Control(func(fd uintptr) { getAddrs(int(fd), opt, c.assoc) })
		}
	}
	local := testing.AllocsPerRun(50, read(sctpGetLocalAddrs))
	peer := testing.AllocsPerRun(50, read(sctpGetPeerAddrs))
	require.NotZero(t, local)
	require.NotZero(t, peer)
	require.LessOrEqual(t, testing.AllocsPerRun(50, func() { c.LocalAddr() }), local, "LocalAddr reads more than the local addresses")
	require.LessOrEqual(t, testing.AllocsPerRun(50, func() { c.RemoteAddr() }), peer, "RemoteAddr reads more than the peer's addresses")

	la, ra := c.LocalAddr().String(), c.RemoteAddr().String()
	require.NoError(t, c.Close())
	require.Equal(t, la, c.LocalAddr().String())
	require.Equal(t, ra, c.RemoteAddr().String())
}
