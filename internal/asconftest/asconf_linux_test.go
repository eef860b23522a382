package asconftest_test

import (
	"context"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/sctpdial/sctpdial"
	"github.com/sctpdial/sctpdial/internal/netlab"
	"github.com/sctpdial/sctpdial/sctptest"
	"github.com/stretchr/testify/require"
)

// TestAddressChangesLive moves an association to a new client address
// while numbered messages flow: the client adds a third address, makes it
// the server's primary destination and removes its old primary address.
// The server sees each step as a notification and in RemoteAddr, and no
// message is lost, duplicated or reordered.
func TestAddressChangesLive(t *testing.T) {
	sctptest.RequireGuest(t)
	for _, f := range []netlab.Family{netlab.IPv4, netlab.IPv6, netlab.Mixed} {
		t.Run(f.String(), func(t *testing.T) { testAddressChangesLive(t, f) })
	}
}

func testAddressChangesLive(t *testing.T, f netlab.Family) {
	lab := netlab.Start(t, f)
	client, server := pair(t, lab, sctpdial.Dialer{AddressChanges: true, RTO: streamRTO}, sctpdial.ListenConfig{AddressChanges: true, RTO: streamRTO})

	for name, c := range map[string]*sctpdial.Conn{"client": client, "server": server} {
		s, err := c.AddressChangeSupport()
		require.NoError(t, err)
		require.Equal(t, sctpdial.AddressChangeSupport{ASCONF: true, AUTH: true}, s,
			"%s: ASCONF and AUTH negotiated, no SCTP_AUTO_ASCONF on an explicitly bound socket", name)
	}

	events := watch(t, server, false)

	s := startStream(client, server)
	defer s.halt()
	s.waitMore(t, 50)

	old := lab.Paths[0].Client
	third := host(lab.Paths[0].Prefix, 0x11)
	require.NoError(t, lab.Client.AddAddr(lab.Paths[0].ClientLink, netip.PrefixFrom(third, lab.Paths[0].Prefix.Bits())))

	start := time.Now()
	require.NoError(t, client.AddLocalAddrs(third.AsSlice()))
	require.True(t, hasIP(client.LocalAddr(), third), "client LocalAddr %v lacks %v", client.LocalAddr(), third)
	waitState(t, events, third, sctpdial.AddrAdded)
	t.Logf("ADDR_ADDED at the server %v after AddLocalAddrs at %v", time.Since(start), start.Format("15:04:05.000"))
	eventually(t, "server RemoteAddr lists the new address", func() bool { return hasIP(server.RemoteAddr(), third) })
	s.waitMore(t, 20)

	start = time.Now()
	require.NoError(t, client.SetPeerPrimary(third.AsSlice()))
	waitState(t, events, third, sctpdial.AddrMadePrimary)
	t.Logf("ADDR_MADE_PRIM at the server %v after SetPeerPrimary at %v", time.Since(start), start.Format("15:04:05.000"))
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
	t.Logf("ADDR_REMOVED at the server %v after RemoveLocalAddrs at %v", time.Since(start), start.Format("15:04:05.000"))
	eventually(t, "server RemoteAddr drops the removed address", func() bool { return !hasIP(server.RemoteAddr(), old) })
	s.waitMore(t, 50)

	// The last address cannot go: EBUSY, and nothing changes.
	err := client.RemoveLocalAddrs(third.AsSlice(), lab.Paths[1].Client.AsSlice())
	require.ErrorIs(t, err, syscall.EBUSY)
	require.ErrorContains(t, err, "keeps at least one local address")
	require.True(t, hasIP(client.LocalAddr(), third) && hasIP(client.LocalAddr(), lab.Paths[1].Client),
		"a failed removal must leave both addresses: %v", client.LocalAddr())
	s.waitMore(t, 20)

	s.finish(t)
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

// TestAutoASCONF: a client bound to the wildcard address with
// AddressChanges has SCTP_AUTO_ASCONF on, so the kernel announces an
// address that appears on or vanishes from the client's host by itself;
// sctp_bindx on such a socket is refused with a reason.
func TestAutoASCONF(t *testing.T) {
	sctptest.RequireGuest(t)
	lab := netlab.Start(t, netlab.IPv4)
	wildcard := sctpdial.Dialer{AddressChanges: true, LocalAddr: &sctp.SCTPAddr{}}
	client, server := pair(t, lab, wildcard, sctpdial.ListenConfig{AddressChanges: true})
	s, err := client.AddressChangeSupport()
	require.NoError(t, err)
	require.Equal(t, sctpdial.AddressChangeSupport{ASCONF: true, AUTH: true, AutoASCONF: true}, s)

	events := watch(t, server, true)
	link, bits := lab.Paths[0].ClientLink, lab.Paths[0].Prefix.Bits()
	extra := netip.MustParseAddr("192.0.2.13")
	start := time.Now()
	require.NoError(t, lab.Client.AddAddr(link, netip.PrefixFrom(extra, bits)))
	waitState(t, events, extra, sctpdial.AddrAdded)
	t.Logf("host address added: ADDR_ADDED at the server after %v", time.Since(start))
	eventually(t, "server RemoteAddr lists the host's new address", func() bool { return hasIP(server.RemoteAddr(), extra) })

	err = client.AddLocalAddrs(extra.AsSlice())
	require.ErrorIs(t, err, syscall.EINVAL)
	require.ErrorContains(t, err, "SCTP_AUTO_ASCONF")

	start = time.Now()
	require.NoError(t, lab.Client.DelAddr(link, netip.PrefixFrom(extra, bits)))
	waitState(t, events, extra, sctpdial.AddrRemoved)
	t.Logf("host address deleted: ADDR_REMOVED at the server after %v", time.Since(start))
}

// TestServerAddsAddress: the accepted side can change its addresses too.
// Its socket's endpoint starts from the sysctls (off here), not from the
// listener, and AddLocalAddrs must still make the kernel send the ASCONF.
func TestServerAddsAddress(t *testing.T) {
	sctptest.RequireGuest(t)
	lab := netlab.Start(t, netlab.IPv4)
	v, err := lab.Server.ReadSysctl("net.sctp.addip_enable")
	require.NoError(t, err)
	require.Equal(t, "0", v, "the kernel's default, which accepted sockets start from")
	client, server := pair(t, lab, sctpdial.Dialer{AddressChanges: true}, sctpdial.ListenConfig{AddressChanges: true})
	events := watch(t, client, true)

	extra := netip.MustParseAddr("192.0.2.22")
	require.NoError(t, lab.Server.AddAddr(lab.Paths[0].ServerLink, netip.PrefixFrom(extra, lab.Paths[0].Prefix.Bits())))
	require.NoError(t, server.AddLocalAddrs(extra.AsSlice()))
	waitState(t, events, extra, sctpdial.AddrAdded)
	eventually(t, "client RemoteAddr lists the server's new address", func() bool { return hasIP(client.RemoteAddr(), extra) })
	require.NoError(t, server.SetPeerPrimary(extra.AsSlice()))
	waitState(t, events, extra, sctpdial.AddrMadePrimary)
}

// TestAddIPWithoutAuthRefused records a kernel rule the documentation
// warns about: an endpoint with net.sctp.addip_enable on but AUTH off
// (and net.sctp.addip_noauth_enable off) lists ASCONF without AUTH in its
// INIT, which an ASCONF peer refuses (sctp_verify_ext_param): the dial
// fails with ECONNREFUSED. Dialer.AddressChanges switches both on.
func TestAddIPWithoutAuthRefused(t *testing.T) {
	sctptest.RequireGuest(t)
	lab := netlab.Start(t, netlab.IPv4)
	require.NoError(t, lab.Client.Sysctl("net.sctp.addip_enable", "1"))
	ln := listen(t, lab, sctpdial.ListenConfig{AddressChanges: true})
	_, err := dial(lab, sctpdial.Dialer{}, ln)
	require.ErrorIs(t, err, syscall.ECONNREFUSED)
	c, err := dial(lab, sctpdial.Dialer{AddressChanges: true}, ln)
	require.NoError(t, err, "with AddressChanges the same namespace connects")
	c.Close()

	// Both ends configured alike, addip_enable on and AUTH off: refused too.
	require.NoError(t, lab.Server.Sysctl("net.sctp.addip_enable", "1"))
	_, err = dial(lab, sctpdial.Dialer{}, listen(t, lab, sctpdial.ListenConfig{}))
	require.ErrorIs(t, err, syscall.ECONNREFUSED)
}

// TestListenerAddresses: a running listener binds one more address and
// new associations use it; unbinding keeps at least one address.
func TestListenerAddresses(t *testing.T) {
	sctptest.RequireGuest(t)
	lab := netlab.Start(t, netlab.IPv4)
	first, second := lab.Paths[0].Server, lab.Paths[1].Server
	var ln *sctpdial.Listener
	require.NoError(t, lab.Server.Do(func() (err error) {
		lc := sctpdial.ListenConfig{InitMsg: smallInit}
		ln, err = lc.ListenSCTP(context.Background(), "sctp", joinHosts([]netip.Addr{first}, 0))
		return err
	}))
	defer ln.Close()
	port := ln.Addr().(*sctp.SCTPAddr).Port
	dialTo := func(a netip.Addr) (*sctpdial.Conn, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		d := sctpdial.Dialer{InitMsg: smallInit}
		var c *sctpdial.Conn
		err := lab.Client.Do(func() (err error) {
			c, err = d.DialSCTP(ctx, "sctp", joinHosts([]netip.Addr{a}, port))
			return err
		})
		return c, err
	}
	_, err := dialTo(second)
	require.ErrorIs(t, err, syscall.ECONNREFUSED, "an address the listener does not have")

	require.NoError(t, ln.AddLocalAddrs(second.AsSlice()))
	require.True(t, hasIP(ln.Addr(), first) && hasIP(ln.Addr(), second), "Addr: %v", ln.Addr())
	c, err := dialTo(second)
	require.NoError(t, err, "the added address takes new associations")
	require.True(t, hasIP(c.RemoteAddr(), first) && hasIP(c.RemoteAddr(), second), "new associations are multi-homed over both: %v", c.RemoteAddr())
	require.NoError(t, c.Close())

	require.NoError(t, ln.RemoveLocalAddrs(first.AsSlice()))
	require.False(t, hasIP(ln.Addr(), first), "Addr: %v", ln.Addr())
	err = ln.RemoveLocalAddrs(second.AsSlice())
	require.ErrorIs(t, err, syscall.EBUSY)
	require.True(t, hasIP(ln.Addr(), second), "Addr: %v", ln.Addr())
	require.ErrorContains(t, ln.AddLocalAddrs(), "no addresses given")
}

// TestAddressChangesBackToBack makes the three calls of a move one after
// the other, as the package example does, without waiting for the peer
// in between: the kernel queues the ASCONFs (one outstanding at a time)
// and the peer ends up on the new address with traffic flowing.
func TestAddressChangesBackToBack(t *testing.T) {
	sctptest.RequireGuest(t)
	lab := netlab.Start(t, netlab.IPv4)
	client, server := pair(t, lab, sctpdial.Dialer{AddressChanges: true, RTO: streamRTO}, sctpdial.ListenConfig{AddressChanges: true, RTO: streamRTO})
	events := watch(t, server, false)
	s := startStream(client, server)
	defer s.halt()
	s.waitMore(t, 20)

	old, fresh := lab.Paths[0].Client, host(lab.Paths[0].Prefix, 0x21)
	require.NoError(t, lab.Client.AddAddr(lab.Paths[0].ClientLink, netip.PrefixFrom(fresh, lab.Paths[0].Prefix.Bits())))
	start := time.Now()
	require.NoError(t, client.AddLocalAddrs(fresh.AsSlice()))
	require.NoError(t, client.SetPeerPrimary(fresh.AsSlice()))
	require.NoError(t, client.RemoveLocalAddrs(old.AsSlice()))
	t.Logf("three calls took %v", time.Since(start))
	waitState(t, events, fresh, sctpdial.AddrAdded)
	waitState(t, events, fresh, sctpdial.AddrMadePrimary)
	waitState(t, events, old, sctpdial.AddrRemoved)
	t.Logf("the peer had all three after %v", time.Since(start))
	eventually(t, "server's primary path is the new address", func() bool {
		st, err := server.Status()
		a, _ := netip.AddrFromSlice(st.Primary.Addr.IP)
		return err == nil && a.Unmap() == fresh
	})
	require.False(t, hasIP(server.RemoteAddr(), old), "server RemoteAddr %v", server.RemoteAddr())
	s.waitMore(t, 50)

	s.finish(t)
}
