package sctpdial

import (
	"context"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// addressChangePair connects over loopback with AddressChanges on both
// ends: the dialed side bound to the wildcard address, the listener to
// 127.0.0.1.
func addressChangePair(t *testing.T) (dialed, accepted *Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	lc := ListenConfig{AddressChanges: true, InitMsg: peerInitMsg}
	ln, err := lc.ListenSCTP(ctx, "sctp4", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	require.NoError(t, ln.SetDeadline(time.Now().Add(10*time.Second)))
	d := Dialer{AddressChanges: true, InitMsg: peerInitMsg}
	if dialed, err = d.DialSCTP(ctx, "sctp4", ln.Addr().String()); err == nil {
		accepted, err = ln.AcceptSCTP()
		t.Cleanup(func() { dialed.Close() })
	}
	require.NoError(t, err)
	t.Cleanup(func() { accepted.Close() })
	return dialed, accepted
}

// TestAddressChangesLoopback is the loopback part: the knobs read back
// from the kernel on both ends, bad input refused before any syscall, a
// closed Conn answers net.ErrClosed, and an address that is not local
// fails SetPeerPrimary with a reason. The two-path tests are in
// internal/asconftest.
func TestAddressChangesLoopback(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	c, peer := addressChangePair(t)

	// The dialed socket is bound to the wildcard address (no LocalAddr),
	// so AddressChanges also switched SCTP_AUTO_ASCONF on; the listener's
	// explicit address keeps it off on the accepted socket.
	for _, tc := range []struct {
		name string
		conn *Conn
		want AddressChangeSupport
	}{
		{"dialed", c, AddressChangeSupport{ASCONF: true, AUTH: true, AutoASCONF: true}},
		{"accepted", peer, AddressChangeSupport{ASCONF: true, AUTH: true}},
	} {
		s, err := tc.conn.AddressChangeSupport()
		require.NoError(t, err)
		require.Equal(t, tc.want, s, tc.name)
	}

	require.ErrorContains(t, c.AddLocalAddrs(), "no addresses given")
	require.ErrorContains(t, c.RemoveLocalAddrs(net.IP{1, 2, 3}), "invalid IP address")
	require.ErrorContains(t, c.SetPeerPrimary(nil), "invalid IP address")
	err := c.AddLocalAddrs(net.IPv6loopback)
	require.ErrorIs(t, err, syscall.EINVAL)
	require.ErrorContains(t, err, "the socket is IPv4")
	err = c.SetPeerPrimary(net.ParseIP("192.0.2.99"))
	require.ErrorIs(t, err, syscall.EADDRNOTAVAIL)
	require.ErrorContains(t, err, "not a local address of this association")

	require.NoError(t, c.Close())
	require.ErrorIs(t, c.AddLocalAddrs(net.ParseIP("127.0.0.2")), net.ErrClosed)
	ln, err := Listen("sctp4", "127.0.0.1:0")
	require.NoError(t, err)
	require.NoError(t, ln.Close())
	require.ErrorIs(t, ln.(*Listener).AddLocalAddrs(net.ParseIP("127.0.0.2")), net.ErrClosed)
	_, err = c.AddressChangeSupport()
	require.ErrorIs(t, err, net.ErrClosed)
}
