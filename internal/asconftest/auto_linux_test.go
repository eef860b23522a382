package asconftest_test

import (
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
}
