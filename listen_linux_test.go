package sctpdial

import (
	"strconv"
	"syscall"
	"testing"

	"github.com/sctpdial/sctpdial/internal/vmtest"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// sockoptInt reads an integer socket option of c.
func sockoptInt(t *testing.T, c syscall.Conn, level, opt int) int {
	t.Helper()
	rc, err := c.SyscallConn()
	require.NoError(t, err)
	var v int
	var gerr error
	require.NoError(t, rc.Control(func(fd uintptr) { v, gerr = unix.GetsockoptInt(int(fd), level, opt) }))
	require.NoError(t, gerr)
	return v
}

// TestListenV6Only reads IPV6_V6ONLY back from listening sockets: set for
// every "sctp6" listener, as package net does for "tcp6", and off for
// "sctp" so that IPv4 addresses can be bound too.
func TestListenV6Only(t *testing.T) {
	requireSCTP(t)
	tests := []struct {
		network, address string
		guest            bool // needs the guest's fixture addresses
		want             int
	}{
		{"sctp6", "[::]:0", false, 1},
		{"sctp", ":0", false, 0},
		{"sctp6", "[::1]:0", false, 1},
		{"sctp", "[::1]:0", false, 0},
		{"sctp6", "[" + vmtest.LocalIPv6A + "]:0", true, 1},
		{"sctp6", hostPortList(0, vmtest.LocalIPv6A, vmtest.LocalIPv6B), true, 1},
		{"sctp", hostPortList(0, vmtest.LocalIPv4A, vmtest.LocalIPv6A), true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.network+" "+tt.address, func(t *testing.T) {
			if tt.guest {
				requireGuest(t)
			}
			checkNoLeaks(t)
			l := listenT(t, nil, tt.network, tt.address)
			require.Equal(t, tt.want, sockoptInt(t, l, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY))
		})
	}
}

// TestListenHugeBacklog: a Backlog beyond the int of listen(2) still
// listens; 1<<32 cut to 32 bits would be listen(fd, 0), which leaves an
// SCTP socket not listening (sctp_inet_listen).
func TestListenHugeBacklog(t *testing.T) {
	requireSCTP(t)
	if strconv.IntSize < 64 {
		t.Skip("needs a 64-bit int")
	}
	checkNoLeaks(t)
	big := int64(1) << 32
	l := listenT(t, &ListenConfig{Backlog: int(big)}, "sctp4", "127.0.0.1:0")
	require.Equal(t, 1, sockoptInt(t, l, unix.SOL_SOCKET, unix.SO_ACCEPTCONN))
	c, ac := pipe(t, l, nil, "sctp4", l.Addr().String())
	roundTrip(t, c, ac)
}
