package sctpdial

import (
	"os/exec"
	"testing"
	"time"

	"github.com/sctpdial/sctpdial/internal/vmtest"
	"github.com/stretchr/testify/require"
)

// TestAssocStatsMove checks that the counters follow what happens: data
// and SACKs counted both ways, round trips measured; then, once the
// primary path's address is gone, retransmissions, the RTO backoff on that
// path and the path change notifications.
func TestAssocStatsMove(t *testing.T) {
	requireGuest(t)
	fast := RTOInfo{Initial: 100 * time.Millisecond, Min: 50 * time.Millisecond, Max: 400 * time.Millisecond}
	c, peer, col := fastFailoverPair(t, fast.Max)

	before, err := c.AssocStats()
	require.NoError(t, err)
	require.NotZero(t, tickHz.Load(), "the tick rate is measured on the first read")
	require.Contains(t, []uint32{100, 250, 300, 1000}, tickHz.Load())

	// Round trips on the primary path.
	buf := make([]byte, 64)
	require.NoError(t, peer.SetReadDeadline(time.Now().Add(15*time.Second)))
	require.NoError(t, c.SetReadDeadline(time.Now().Add(15*time.Second)))
	for i := range 5 {
		_, err := c.WriteMsg([]byte{'a', byte(i)}, &MsgInfo{Stream: 1})
		require.NoError(t, err)
		_, _, err = peer.ReadMsg(buf)
		require.NoError(t, err)
		_, err = peer.WriteMsg([]byte{'b', byte(i)}, &MsgInfo{Stream: 1, Flags: MsgUnordered})
		require.NoError(t, err)
		_, _, err = c.ReadMsg(buf)
		require.NoError(t, err)
	}
	mid, err := c.AssocStats()
	require.NoError(t, err)
	require.Equal(t, before.OrderedSent+5, mid.OrderedSent)
	require.Equal(t, before.UnorderedReceived+5, mid.UnorderedReceived)
	require.Greater(t, mid.PacketsSent, before.PacketsSent)
	require.Greater(t, mid.SACKsReceived, before.SACKsReceived)
	// Nothing is lost yet, but no zero retransmissions is asserted here: on
	// a loaded guest a T3-rtx timeout at RTO.Min (50 ms) can fire before
	// the peer's SACK comes back. The loss below must add some.
	ps, err := c.Paths()
	require.NoError(t, err)
	// SRTT has the kernel tick's resolution (4 ms at HZ=250): a loopback
	// round trip may read 0. A measurement shows in the RTO leaving
	// RTO.Initial.
	var measured bool
	for _, p := range ps {
		require.Equal(t, jiffiesToDuration(uint64(p.SRTTRaw), tickHz.Load()), p.SRTT)
		require.LessOrEqual(t, p.SRTT, fast.Max, "a loopback round trip")
		if p.RTO != fast.Initial {
			measured = true
		}
	}
	require.True(t, measured, "no path has a measured round trip: %+v", ps)

	// Lose the primary path (and put it back afterwards).
	out, err := exec.Command("/bin/ip", "addr", "del", vmtest.LocalIPv4A+"/32", "dev", "dummy0").CombinedOutput()
	require.NoError(t, err, "%s", out)
	t.Cleanup(func() { require.NoError(t, vmtest.SetUpNetwork()) })
	for i := range 3 {
		_, err := c.WriteMsg([]byte{'c', byte(i)}, &MsgInfo{Stream: 1})
		require.NoError(t, err)
		_, _, err = peer.ReadMsg(buf)
		require.NoError(t, err, "message %d must arrive over the remaining path", i)
	}
	after, err := c.AssocStats()
	require.NoError(t, err)
	t.Logf("after the loss: %+v", after)
	require.Greater(t, after.RetransmittedChunks, mid.RetransmittedChunks, "the chunks sent into the lost path went again")
	require.Greater(t, after.MaxRTO, fast.Min, "the lost path's RTO backed off")
	require.Equal(t, vmtest.LocalIPv4A, after.MaxRTOAddr.IP.String(), "on the lost path")

	// The notifications the kernel queued come in through reads.
	for deadline := time.Now().Add(5 * time.Second); c.NotificationCounts().PeerAddrChange == 0 && time.Now().Before(deadline); {
		c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		c.Read(buf)
	}
	n := c.NotificationCounts()
	require.NotZero(t, n.PeerAddrChange, "%+v", n)
	require.Equal(t, uint64(len(col.all())), n.PeerAddrChange, "each one counted once")
	require.Zero(t, n.AssocChange, "not subscribed")
}
