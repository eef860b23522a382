package sctpdial

import (
	"context"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestAcceptAddrsAfterPeerGone accepts associations whose dialer already
// closed or aborted them: LocalAddr and RemoteAddr must still name the
// endpoints (the seeds from accept4 and getsockname), as they do for TCP
// in the same situation.
func TestAcceptAddrsAfterPeerGone(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	for _, tt := range []struct {
		name  string
		abort bool
	}{
		{"closed", false},
		{"aborted", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Run("sctp", func(t *testing.T) {
				ln, err := Listen("sctp", "127.0.0.1:0")
				require.NoError(t, err)
				defer ln.Close()
				d := Dialer{InitMsg: peerInitMsg}
				c, err := d.Dial("sctp", ln.Addr().String())
				require.NoError(t, err)
				dialLocal := sockaddrPort(t, c.(*Conn))
				closePeer(t, c, tt.abort)
				time.Sleep(50 * time.Millisecond) // the SHUTDOWN or ABORT has arrived
				ac, err := ln.Accept()
				require.NoError(t, err)
				defer ac.Close()
				checkAddrs(t, ac, ln.Addr().(*sctp.SCTPAddr).Port, dialLocal)
			})
			t.Run("tcp", func(t *testing.T) {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				require.NoError(t, err)
				defer ln.Close()
				c, err := net.Dial("tcp", ln.Addr().String())
				require.NoError(t, err)
				dialLocal := c.LocalAddr().(*net.TCPAddr).Port
				if tt.abort {
					require.NoError(t, c.(*net.TCPConn).SetLinger(0))
				}
				require.NoError(t, c.Close())
				time.Sleep(50 * time.Millisecond)
				ac, err := ln.Accept()
				require.NoError(t, err)
				defer ac.Close()
				checkAddrs(t, ac, ln.Addr().(*net.TCPAddr).Port, dialLocal)
			})
		})
	}
}

// TestDialAddrsListenerClosesAtOnce dials a listener that accepts and
// closes every association at once, many times: every Conn's LocalAddr
// and RemoteAddr must be set, whether the association is still there when
// they are read or not.
func TestDialAddrsListenerClosesAtOnce(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	ln := startRawAcceptor(t, unix.IPPROTO_SCTP)
	addr := hostPortList(ln.port, "127.0.0.1")
	d := Dialer{InitMsg: peerInitMsg}
	for i := range 200 {
		c, err := d.DialContext(context.Background(), "sctp", addr)
		if err != nil {
			// A dial may lose the race with the listener's close; only
			// Conns are checked here.
			continue
		}
		if i%2 == 1 {
			time.Sleep(time.Millisecond) // let the listener's close arrive first
		}
		la, ra := c.LocalAddr(), c.RemoteAddr()
		require.NoError(t, c.Close())
		require.NotNil(t, la, "dial %d", i)
		require.NotNil(t, ra, "dial %d", i)
		require.NotEmpty(t, la.(*sctp.SCTPAddr).IPAddrs, "dial %d: %v", i, la)
		require.Equal(t, ln.port, ra.(*sctp.SCTPAddr).Port, "dial %d", i)
		require.Equal(t, "127.0.0.1:"+strconv.Itoa(ln.port), ra.String(), "dial %d", i)
		// After Close the last answer stays.
		require.Equal(t, ra.String(), c.RemoteAddr().String())
		require.Equal(t, la.String(), c.LocalAddr().String())
	}
}

// closePeer closes c, first setting SO_LINGER 0 (close then sends ABORT)
// if abort is set.
func closePeer(t *testing.T, c net.Conn, abort bool) {
	t.Helper()
	if abort {
		rc, err := c.(syscall.Conn).SyscallConn()
		require.NoError(t, err)
		var serr error
		require.NoError(t, rc.Control(func(fd uintptr) {
			serr = unix.SetsockoptLinger(int(fd), unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
		}))
		require.NoError(t, serr)
	}
	require.NoError(t, c.Close())
}

// sockaddrPort is the local port of c's socket (getsockname).
func sockaddrPort(t *testing.T, c *Conn) int {
	t.Helper()
	rc, err := c.SyscallConn()
	require.NoError(t, err)
	var port int
	require.NoError(t, rc.Control(func(fd uintptr) { port = int(sockname(int(fd)).Port()) }))
	require.NotZero(t, port)
	return port
}

// checkAddrs checks an accepted conn's addresses: both set, printable,
// the local one on the listener's port and the remote one on the dialer's.
func checkAddrs(t *testing.T, c net.Conn, localPort, remotePort int) {
	t.Helper()
	la, ra := c.LocalAddr(), c.RemoteAddr()
	require.NotNil(t, la)
	require.NotNil(t, ra)
	_, lport, err := net.SplitHostPort(la.String())
	require.NoError(t, err)
	require.Equal(t, strconv.Itoa(localPort), lport)
	host, rport, err := net.SplitHostPort(ra.String())
	require.NoError(t, err)
	require.Equal(t, strconv.Itoa(remotePort), rport)
	require.Equal(t, "127.0.0.1", host)
}
