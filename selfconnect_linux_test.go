package sctpdial

import (
	"context"
	"net"
	"strconv"
	"testing"

	"github.com/ishidawataru/sctp"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// freePort returns a loopback port that nothing uses now (bound and
// released at once).
func freePort(t *testing.T) int {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, unix.IPPROTO_SCTP)
	require.NoError(t, err)
	defer unix.Close(fd)
	require.NoError(t, unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	return int(sockname(fd).Port())
}

// TestDialSelfConnectRefused makes the kernel's only ephemeral port the
// destination port, where nobody listens: every INIT meets itself, and
// without the guard each dial returned a Conn connected to itself. With
// it the dial retries and then reports ECONNREFUSED, as a dial to a port
// without a listener does.
func TestDialSelfConnectRefused(t *testing.T) {
	requireGuest(t)
	checkNoLeaks(t)
	port := freePort(t)
	setSysctl(t, "net.ipv4.ip_local_port_range", strconv.Itoa(port)+" "+strconv.Itoa(port))
	d := Dialer{InitMsg: peerInitMsg}
	for i := range 5 {
		c, err := d.DialContext(context.Background(), "sctp", hostPortList(port, "127.0.0.1"))
		if c != nil {
			la, ra := c.LocalAddr(), c.RemoteAddr()
			c.Close()
			t.Fatalf("dial %d: a Conn from %v to %v, want ECONNREFUSED", i, la, ra)
		}
		require.ErrorIs(t, err, unix.ECONNREFUSED, "dial %d", i)
		var oe *net.OpError
		require.ErrorAs(t, err, &oe)
		require.Equal(t, "dial", oe.Op)
	}
}

// TestDialSelfConnectExplicitPort dials from an explicit local port to
// the same address and port. As package net does for TCP (which guards
// only kernel-chosen ports), the self-connect is the caller's choice and
// the Conn is returned, its local address equal to its remote one; TCP
// gives a connection to itself the same way. The guard's check recognises
// the association.
func TestDialSelfConnectExplicitPort(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	port := freePort(t)
	self := "127.0.0.1:" + strconv.Itoa(port)

	t.Run("sctp", func(t *testing.T) {
		d := Dialer{InitMsg: peerInitMsg, LocalAddr: &sctp.SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1)}}, Port: port}}
		c, err := d.DialSCTP(context.Background(), "sctp", self)
		require.NoError(t, err)
		defer c.Close()
		require.Equal(t, self, c.LocalAddr().String())
		require.Equal(t, self, c.RemoteAddr().String())
		rc, err := c.SyscallConn()
		require.NoError(t, err)
		var is bool
		require.NoError(t, rc.Control(func(fd uintptr) { is = isSelfConnect(int(fd), c.AssocID()) }))
		require.True(t, is, "the guard's check must see the self-connect")
	})
	t.Run("tcp", func(t *testing.T) {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}}
		c, err := d.Dial("tcp", self)
		require.NoError(t, err)
		defer c.Close()
		require.Equal(t, self, c.LocalAddr().String())
		require.Equal(t, self, c.RemoteAddr().String())
	})
}

// TestDialNotSelfConnect checks that an ordinary association is not taken
// for a self-connect.
func TestDialNotSelfConnect(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	c, _ := dialPair(t)
	rc, err := c.SyscallConn()
	require.NoError(t, err)
	var is bool
	require.NoError(t, rc.Control(func(fd uintptr) { is = isSelfConnect(int(fd), c.AssocID()) }))
	require.False(t, is)
}
