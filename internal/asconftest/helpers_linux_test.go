package asconftest_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/sctpdial/sctpdial"
	"github.com/sctpdial/sctpdial/internal/netlab"
	"github.com/stretchr/testify/require"
)

// smallInit keeps handshakes cheap under TCG.
var smallInit = sctp.InitMsg{NumOstreams: 4, MaxInstreams: 4}

// listen listens in the lab's server namespace on both server addresses
// until the test ends.
func listen(t *testing.T, lab *netlab.Lab, lc sctpdial.ListenConfig) *sctpdial.Listener {
	t.Helper()
	lc.InitMsg = smallInit
	var ln *sctpdial.Listener
	require.NoError(t, lab.Server.Do(func() (err error) {
		ln, err = lc.ListenSCTP(context.Background(), "sctp", joinHosts(lab.ServerAddrs(), 0))
		return err
	}))
	t.Cleanup(func() { ln.Close() })
	return ln
}

// dial connects from the client namespace to ln with d, bound to both
// client addresses unless d.LocalAddr says otherwise.
func dial(lab *netlab.Lab, d sctpdial.Dialer, ln *sctpdial.Listener) (c *sctpdial.Conn, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d.InitMsg = smallInit
	if d.LocalAddr == nil {
		la := &sctp.SCTPAddr{}
		for _, a := range lab.ClientAddrs() {
			la.IPAddrs = append(la.IPAddrs, net.IPAddr{IP: a.AsSlice()})
		}
		d.LocalAddr = la
	}
	port := ln.Addr().(*sctp.SCTPAddr).Port
	err = lab.Client.Do(func() (err error) {
		c, err = d.DialSCTP(ctx, "sctp", joinHosts(lab.ServerAddrs(), port))
		return err
	})
	return c, err
}

// pair returns both ends of an association from dial to listen.
func pair(t *testing.T, lab *netlab.Lab, d sctpdial.Dialer, lc sctpdial.ListenConfig) (client, server *sctpdial.Conn) {
	t.Helper()
	ln := listen(t, lab, lc)
	client, err := dial(lab, d, ln)
	require.NoError(t, err)
	t.Cleanup(func() { client.Close() })
	require.NoError(t, ln.SetDeadline(time.Now().Add(5*time.Second)))
	server, err = ln.AcceptSCTP()
	require.NoError(t, err)
	t.Cleanup(func() { server.Close() })
	return client, server
}

func joinHosts(addrs []netip.Addr, port int) string {
	s := ""
	for i, a := range addrs {
		if i > 0 {
			s += ","
		}
		if a.Is6() {
			s += "[" + a.String() + "]"
		} else {
			s += a.String()
		}
	}
	return fmt.Sprintf("%s:%d", s, port)
}

// host returns host number n of prefix p (n < 256).
func host(p netip.Prefix, n int) netip.Addr {
	a := p.Masked().Addr()
	for range n {
		a = a.Next()
	}
	return a
}

// hasIP reports whether the address list a (a *sctp.SCTPAddr) holds ip.
func hasIP(a net.Addr, ip netip.Addr) bool {
	sa, ok := a.(*sctp.SCTPAddr)
	if !ok {
		return false
	}
	for _, x := range sa.IPAddrs {
		if got, ok := netip.AddrFromSlice(x.IP); ok && got.Unmap() == ip {
			return true
		}
	}
	return false
}

// streamRTO and maxGap tell a stall of the association from one of the
// guest: a lost packet holds the stream up for at least RTO.Min (2 s
// here), while the loaded TCG guest itself pauses every goroutine for up
// to a second now and then (745 ms measured before any address had
// changed; a 1 s bound failed one run in ten with the host's load average
// at 18).
var (
	streamRTO = sctpdial.RTOInfo{Min: 2 * time.Second, Max: 4 * time.Second}
	maxGap    = 1800 * time.Millisecond
)

// stream sends numbered 8-byte messages from w to r as fast as a 1 ms
// pause allows, and checks on r that each arrives once and in order.
type stream struct {
	stop    chan struct{}
	once    sync.Once
	wdone   chan error
	rdone   chan error
	mu      sync.Mutex
	sent    uint64        // messages sent, once wdone has reported
	got     uint64        // messages received
	maxGap  time.Duration // longest time between two received messages
	maxAt   time.Time     // when that gap ended
	lastRcv time.Time
}

func startStream(w, r *sctpdial.Conn) *stream {
	s := &stream{stop: make(chan struct{}), wdone: make(chan error, 1), rdone: make(chan error, 1)}
	go func() {
		var b [8]byte
		for i := uint64(0); ; i++ {
			select {
			case <-s.stop:
				s.sent = i
				s.wdone <- w.CloseWrite()
				return
			default:
			}
			binary.BigEndian.PutUint64(b[:], i)
			if _, err := w.WriteMsg(b[:], &sctpdial.MsgInfo{Stream: 1}); err != nil {
				s.wdone <- fmt.Errorf("message %d: %w", i, err)
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	go func() {
		buf := make([]byte, 64)
		for want := uint64(0); ; want++ {
			n, _, err := r.ReadMsg(buf)
			if err != nil {
				s.rdone <- err
				return
			}
			if n != 8 || binary.BigEndian.Uint64(buf[:8]) != want {
				s.rdone <- fmt.Errorf("message %d: got %x", want, buf[:n])
				return
			}
			now := time.Now()
			s.mu.Lock()
			if !s.lastRcv.IsZero() && now.Sub(s.lastRcv) > s.maxGap {
				s.maxGap, s.maxAt = now.Sub(s.lastRcv), now
			}
			s.lastRcv = now
			s.got++
			s.mu.Unlock()
		}
	}()
	return s
}

// halt stops the writer, which then shuts the association down; it may
// be called more than once.
func (s *stream) halt() { s.once.Do(func() { close(s.stop) }) }

// finish halts the stream and checks that every message arrived, in
// order, with no gap of maxGap or more.
func (s *stream) finish(t *testing.T) {
	t.Helper()
	s.halt()
	require.NoError(t, <-s.wdone)
	require.ErrorIs(t, <-s.rdone, io.EOF, "the reader ends at the writer's shutdown")
	s.mu.Lock()
	defer s.mu.Unlock()
	require.Equal(t, s.sent, s.got, "every message sent must arrive")
	t.Logf("%d messages in order, longest gap between two %v, ending at %v", s.got, s.maxGap, s.maxAt.Format("15:04:05.000"))
	require.Less(t, s.maxGap, maxGap, "traffic stalled")
}

func (s *stream) received() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.got
}

// waitMore waits until n more messages than now have arrived.
func (s *stream) waitMore(t *testing.T, n uint64) {
	t.Helper()
	target := s.received() + n
	deadline := time.Now().Add(5 * time.Second)
	for s.received() < target {
		require.True(t, time.Now().Before(deadline), "traffic stopped: %d messages, waiting for %d", s.received(), target)
		time.Sleep(5 * time.Millisecond)
	}
}

// watch subscribes c to PeerAddrChange notifications and returns them on
// a channel. Handlers run only while someone reads: with read set, watch
// starts a reader that discards data until c is closed.
func watch(t *testing.T, c *sctpdial.Conn, read bool) <-chan sctpdial.PeerAddrChange {
	t.Helper()
	ch := make(chan sctpdial.PeerAddrChange, 64)
	require.NoError(t, c.SetNotificationHandler(sctpdial.EventPeerAddrChange, func(n sctpdial.Notification) {
		if pc, ok := n.(sctpdial.PeerAddrChange); ok {
			select {
			case ch <- pc:
			default:
			}
		}
	}))
	if read {
		go func() {
			buf := make([]byte, 64)
			for {
				if _, err := c.Read(buf); err != nil {
					return
				}
			}
		}()
	}
	return ch
}

// waitState waits for a PeerAddrChange of ip in state st on ch.
func waitState(t *testing.T, ch <-chan sctpdial.PeerAddrChange, ip netip.Addr, st sctpdial.PeerAddrState) sctpdial.PeerAddrChange {
	t.Helper()
	timeout := time.After(3 * time.Second)
	for {
		select {
		case n := <-ch:
			t.Logf("notification: %v %v (error %d)", n.Addr.IP, n.State, n.Error)
			if a, ok := netip.AddrFromSlice(n.Addr.IP); ok && a.Unmap() == ip && n.State == st {
				return n
			}
		case <-timeout:
			t.Fatalf("no %v for %v within 3s", st, ip)
		}
	}
}

// eventually polls cond every 5 ms for up to 3 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); !cond(); {
		require.True(t, time.Now().Before(deadline), "%s: not within 3s", what)
		time.Sleep(5 * time.Millisecond)
	}
}
