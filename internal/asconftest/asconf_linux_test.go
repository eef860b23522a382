package asconftest_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/sctpdial/sctpdial"
	"github.com/sctpdial/sctpdial/internal/netlab"
	"github.com/sctpdial/sctpdial/sctptest"
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

// stream sends numbered 8-byte messages from w to r as fast as a 1 ms
// pause allows, and checks on r that each arrives once and in order.
type stream struct {
	stop    chan struct{}
	wdone   chan error
	rdone   chan error
	mu      sync.Mutex
	sent    uint64        // messages sent, once wdone has reported
	got     uint64        // messages received
	maxGap  time.Duration // longest time between two received messages
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
				s.maxGap = now.Sub(s.lastRcv)
			}
			s.lastRcv = now
			s.got++
			s.mu.Unlock()
		}
	}()
	return s
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

// TestAddressChangesLive moves an association to a new client address
// while numbered messages flow: the client adds a third address, makes it
// the server's primary destination and removes its old primary address.
// The server sees each step as a notification and in RemoteAddr, and no
// message is lost, duplicated or reordered.
func TestAddressChangesLive(t *testing.T) {
	sctptest.RequireGuest(t)
	lab := netlab.Start(t, netlab.IPv4)
	client, server := pair(t, lab, sctpdial.Dialer{AddressChanges: true}, sctpdial.ListenConfig{AddressChanges: true})

	for name, c := range map[string]*sctpdial.Conn{"client": client, "server": server} {
		s, err := c.AddressChangeSupport()
		require.NoError(t, err)
		require.Equal(t, sctpdial.AddressChangeSupport{ASCONF: true, AUTH: true}, s,
			"%s: ASCONF and AUTH negotiated, no SCTP_AUTO_ASCONF on an explicitly bound socket", name)
	}

	events := watch(t, server, false)

	s := startStream(client, server)
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			close(s.stop)
		}
	}
	defer stop()
	s.waitMore(t, 50)

	old := lab.Paths[0].Client
	third := netip.MustParseAddr("192.0.2.11")
	require.NoError(t, lab.Client.AddAddr(lab.Paths[0].ClientLink, netip.PrefixFrom(third, lab.Paths[0].Prefix.Bits())))

	start := time.Now()
	require.NoError(t, client.AddLocalAddrs(third.AsSlice()))
	require.True(t, hasIP(client.LocalAddr(), third), "client LocalAddr %v lacks %v", client.LocalAddr(), third)
	waitState(t, events, third, sctpdial.AddrAdded)
	t.Logf("ADDR_ADDED at the server %v after AddLocalAddrs", time.Since(start))
	eventually(t, "server RemoteAddr lists the new address", func() bool { return hasIP(server.RemoteAddr(), third) })
	s.waitMore(t, 20)

	start = time.Now()
	require.NoError(t, client.SetPeerPrimary(third.AsSlice()))
	waitState(t, events, third, sctpdial.AddrMadePrimary)
	t.Logf("ADDR_MADE_PRIM at the server %v after SetPeerPrimary", time.Since(start))
	eventually(t, "server's primary path is the new address", func() bool {
		st, err := server.Status()
		a, _ := netip.AddrFromSlice(st.Primary.Addr.IP)
		return err == nil && a.Unmap() == third
	})
	s.waitMore(t, 20)

	start = time.Now()
	require.NoError(t, client.RemoveLocalAddrs(old.AsSlice()))
	require.False(t, hasIP(client.LocalAddr(), old), "client LocalAddr %v still lists %v", client.LocalAddr(), old)
	waitState(t, events, old, sctpdial.AddrRemoved)
	t.Logf("ADDR_REMOVED at the server %v after RemoveLocalAddrs", time.Since(start))
	eventually(t, "server RemoteAddr drops the removed address", func() bool { return !hasIP(server.RemoteAddr(), old) })
	s.waitMore(t, 50)

	// The last address cannot go: EBUSY, and nothing changes.
	err := client.RemoveLocalAddrs(third.AsSlice(), lab.Paths[1].Client.AsSlice())
	require.ErrorIs(t, err, syscall.EBUSY)
	require.ErrorContains(t, err, "at least one local address")
	require.True(t, hasIP(client.LocalAddr(), third) && hasIP(client.LocalAddr(), lab.Paths[1].Client),
		"a failed removal must leave both addresses: %v", client.LocalAddr())
	s.waitMore(t, 20)

	stop()
	require.NoError(t, <-s.wdone)
	rerr := <-s.rdone
	require.ErrorIs(t, rerr, io.EOF, "the reader ends at the client's shutdown")
	s.mu.Lock()
	defer s.mu.Unlock()
	require.Equal(t, s.sent, s.got, "every message sent must arrive")
	t.Logf("%d messages in order, longest gap between two %v", s.got, s.maxGap)
	require.Less(t, s.maxGap, time.Second, "traffic stalled")
}

// TestAddressChangesOff checks the prerequisites: without ASCONF on this
// side (the sysctl off, no Dialer.AddressChanges) or on the peer, each
// call fails at once with an error that names what to switch on, and
// nothing is bound.
func TestAddressChangesOff(t *testing.T) {
	sctptest.RequireGuest(t)
	lab := netlab.Start(t, netlab.IPv4)
	third := netip.MustParseAddr("192.0.2.12")
	require.NoError(t, lab.Client.AddAddr(lab.Paths[0].ClientLink, netip.PrefixFrom(third, lab.Paths[0].Prefix.Bits())))
	for _, ns := range []*netlab.NS{lab.Client, lab.Server} {
		require.NoError(t, ns.Sysctl("net.sctp.addip_enable", "0"))
		v, err := ns.ReadSysctl("net.sctp.addip_enable")
		require.NoError(t, err)
		require.Equal(t, "0", v)
	}

	for _, tc := range []struct {
		name   string
		d      sctpdial.Dialer
		lc     sctpdial.ListenConfig
		peer   bool   // the error blames the peer
		naming string // what the error must name
	}{
		{"sysctl off here", sctpdial.Dialer{}, sctpdial.ListenConfig{AddressChanges: true}, false, "net.sctp.addip_enable"},
		{"peer off", sctpdial.Dialer{AddressChanges: true}, sctpdial.ListenConfig{}, true, "the peer did not negotiate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client, _ := pair(t, lab, tc.d, tc.lc)
			s, err := client.AddressChangeSupport()
			require.NoError(t, err)
			require.False(t, s.ASCONF, "ASCONF must not be negotiated")

			calls := map[string]func() error{
				"AddLocalAddrs":    func() error { return client.AddLocalAddrs(third.AsSlice()) },
				"RemoveLocalAddrs": func() error { return client.RemoveLocalAddrs(lab.Paths[1].Client.AsSlice()) },
				"SetPeerPrimary":   func() error { return client.SetPeerPrimary(lab.Paths[1].Client.AsSlice()) },
			}
			for name, call := range calls {
				var err error
				var took time.Duration
				// In the client's namespace: the error reads its sysctls.
				require.NoError(t, lab.Client.Do(func() error {
					start := time.Now()
					err = call()
					took = time.Since(start)
					return nil
				}))
				require.ErrorIs(t, err, sctpdial.ErrNoAddressChanges, name)
				var ace *sctpdial.AddressChangeError
				require.ErrorAs(t, err, &ace, name)
				require.Equal(t, tc.peer, ace.Peer, "%s: %v", name, err)
				require.ErrorContains(t, err, tc.naming, name)
				// At once: no packet is sent and nothing waited for. The
				// bound leaves room for a loaded TCG guest (up to 350 ms
				// was seen for these few syscalls and file reads).
				require.Less(t, took, time.Second, "%s must fail at once", name)
				t.Logf("%s: %v (%v)", name, err, took)
			}
			la := client.LocalAddr()
			require.False(t, hasIP(la, third), "nothing may be bound: %v", la)
			require.True(t, hasIP(la, lab.Paths[1].Client), "nothing may be removed: %v", la)
		})
	}
}
