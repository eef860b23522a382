package sctpdial

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/sctpdial/sctpdial/internal/vmtest"
	"github.com/stretchr/testify/require"
)

// TestPathFailover is multi-homing at work after the handshake: the primary
// path's address disappears, the kernel marks that path down after its
// retransmissions, and messages keep flowing over the other path.
func TestPathFailover(t *testing.T) {
	requireGuest(t)
	// Fast failure detection: short RTOs, one retransmission per path.
	c, peer, col := fastFailoverPair(t, 200*time.Millisecond)

	st, err := c.Status()
	require.NoError(t, err)
	require.Equal(t, vmtest.LocalIPv4A, st.Primary.Addr.IP.String(), "the first address is the primary path")

	// Take the primary path's address away (and put it back afterwards).
	ip := func(args ...string) {
		out, err := exec.Command("/bin/ip", args...).CombinedOutput()
		require.NoError(t, err, "ip %v: %s", args, out)
	}
	ip("addr", "del", vmtest.LocalIPv4A+"/32", "dev", "dummy0")
	// Deleting the address also deleted the silent peers' route, whose
	// source it is: restore every fixture.
	t.Cleanup(func() { require.NoError(t, vmtest.SetUpNetwork()) })

	buf := make([]byte, 64)
	require.NoError(t, peer.SetReadDeadline(time.Now().Add(15*time.Second)))
	for i := range 3 {
		msg := []byte{'m', byte('0' + i)}
		_, err := c.WriteMsg(msg, &MsgInfo{Stream: 1})
		require.NoError(t, err)
		n, info, err := peer.ReadMsg(buf)
		require.NoError(t, err, "message %d must arrive over the remaining path", i)
		require.Equal(t, msg, buf[:n])
		require.Equal(t, uint16(1), info.Stream)
	}

	// The kernel has given up on the lost path and says so.
	var down bool
	for deadline := time.Now().Add(10 * time.Second); !down && time.Now().Before(deadline); {
		ps, err := c.Paths()
		require.NoError(t, err)
		for _, p := range ps {
			if p.Addr.IP.String() == vmtest.LocalIPv4A && p.State == PathInactive {
				down = true
			}
		}
		if !down {
			time.Sleep(50 * time.Millisecond)
		}
	}
	require.True(t, down, "the path to %s is still not marked INACTIVE", vmtest.LocalIPv4A)
	// Notifications arrive through the read path: drain it.
	unreachable := func() bool {
		for _, n := range col.all() {
			if pc, ok := n.(PeerAddrChange); ok && pc.Addr.IP.String() == vmtest.LocalIPv4A && pc.State == AddrUnreachable {
				return true
			}
		}
		return false
	}
	for deadline := time.Now().Add(5 * time.Second); !unreachable() && time.Now().Before(deadline); {
		c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		c.Read(buf)
	}
	require.True(t, unreachable(), "no SCTP_PEER_ADDR_CHANGE ADDR_UNREACHABLE for %s: %+v", vmtest.LocalIPv4A, col.all())
}

// fastFailoverPair connects a Dialer to a listener on the guest's two
// dummy0 addresses with fast failure detection (short RTOs capped at
// rtoMax, one retransmission per path, 100 ms heartbeats). It returns the
// dialed Conn, collecting its PEER_ADDR_CHANGE notifications, and the
// accepted one; all are closed when the test ends.
func fastFailoverPair(t *testing.T, rtoMax time.Duration) (c, peer *Conn, col *collector) {
	t.Helper()
	fast := RTOInfo{Initial: 100 * time.Millisecond, Min: 50 * time.Millisecond, Max: rtoMax}
	paths := PathParams{PathMaxRetrans: 1, HeartbeatInterval: 100 * time.Millisecond}
	lc := ListenConfig{InitMsg: peerInitMsg, RTO: fast, PathParams: paths}
	ln, err := lc.ListenSCTP(context.Background(), "sctp", hostPortList(0, vmtest.LocalIPv4A, vmtest.LocalIPv4B))
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	d := Dialer{InitMsg: peerInitMsg, RTO: fast, PathParams: paths, Timeout: 10 * time.Second}
	c, err = d.DialSCTP(context.Background(), "sctp", ln.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	col = new(collector)
	require.NoError(t, c.SetNotificationHandler(EventPeerAddrChange, col.handle))
	peer, err = ln.AcceptSCTP()
	require.NoError(t, err)
	t.Cleanup(func() { peer.Close() })
	return c, peer, col
}
