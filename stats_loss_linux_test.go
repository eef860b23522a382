package sctpdial

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sctpdial/sctpdial/internal/netlab"
	"github.com/stretchr/testify/require"
)

// TestAssocStatsLossyPath sends over a primary path that loses a fifth of
// its packets each way (netem in the two-path lab): every message arrives,
// in order, and the counters show the repair: retransmitted chunks, and
// gap acknowledgements at the sender or duplicates at the receiver.
func TestAssocStatsLossyPath(t *testing.T) {
	requireGuest(t)
	lab := netlab.Start(t, netlab.IPv4)
	fast := RTOInfo{Initial: 100 * time.Millisecond, Min: 50 * time.Millisecond, Max: 400 * time.Millisecond}
	lc := ListenConfig{InitMsg: peerInitMsg, RTO: fast}
	var ln *Listener
	server := lab.ServerAddrs()
	require.NoError(t, lab.Server.Do(func() (err error) {
		ln, err = lc.ListenSCTP(context.Background(), "sctp", hostPortList(0, server[0].String(), server[1].String()))
		return err
	}))
	defer ln.Close()
	var c *Conn
	d := Dialer{InitMsg: peerInitMsg, RTO: fast, Timeout: 10 * time.Second}
	require.NoError(t, lab.Client.Do(func() (err error) {
		c, err = d.DialSCTP(context.Background(), "sctp", hostPortList(Port(ln.Addr()), server[0].String(), server[1].String()))
		return err
	}))
	defer c.Close()
	peer, err := ln.AcceptSCTP()
	require.NoError(t, err)
	defer peer.Close()
	st, err := c.Status()
	require.NoError(t, err)
	require.Equal(t, server[0], ipAddrToNetip(st.Primary.Addr), "the first address is the primary path")

	before, err := c.AssocStats()
	require.NoError(t, err)
	require.NoError(t, lab.Impair(0, netlab.Impairment{Loss: 20}))

	const n = 300
	received := make(chan error, 1)
	go func() {
		buf := make([]byte, 2048)
		peer.SetReadDeadline(time.Now().Add(30 * time.Second))
		for i := 0; i < n; i++ {
			m, info, err := peer.ReadMsg(buf)
			if err == nil && (m != 1000 || buf[0] != byte(i) || info.Stream != 1) {
				err = fmt.Errorf("message %d: %d bytes, first %d, stream %d", i, m, buf[0], info.Stream)
			}
			if err != nil {
				received <- err
				return
			}
		}
		received <- nil
	}()
	msg := make([]byte, 1000)
	for i := range n {
		msg[0] = byte(i)
		_, err := c.WriteMsg(msg, &MsgInfo{Stream: 1})
		require.NoError(t, err)
	}
	require.NoError(t, <-received, "every message arrives, in order")

	after, err := c.AssocStats()
	require.NoError(t, err)
	got, err := peer.AssocStats()
	require.NoError(t, err)
	t.Logf("sender: %+v", after)
	t.Logf("receiver: %+v", got)
	require.Equal(t, before.OrderedSent+n, after.OrderedSent)
	require.Greater(t, after.RetransmittedChunks, before.RetransmittedChunks, "lost chunks went again")
	// A lost DATA chunk followed by one that arrives shows as a gap; a
	// lost SACK makes the sender resend what had arrived, which the
	// receiver counts as a duplicate. 300 messages at 20 % loss give both
	// kinds many chances, but either alone accounts for a retransmission
	// (one run of 100 saw only lost SACKs: 4 retransmissions, 2 duplicates).
	require.True(t, after.GapAcks > before.GapAcks || got.DuplicateTSNs > 0,
		"the repair shows at the receiver: gaps reported (%d) or duplicates received (%d)", after.GapAcks-before.GapAcks, got.DuplicateTSNs)
	// Chunks after a lost one fit in the receiver's TSN map: the kernel
	// counts as out of sequence only TSNs beyond it, which it drops.
	require.Zero(t, got.OutOfSeqTSNs)
	require.Greater(t, got.SACKsSent, uint64(0))
	require.GreaterOrEqual(t, got.OrderedReceived, uint64(n))
}
