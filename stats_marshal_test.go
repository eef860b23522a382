//go:build linux

package sctpdial

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestUnmarshalAssocStats lays out struct sctp_assoc_stats field by field
// and reads it back: each counter lands in its own field.
func TestUnmarshalAssocStats(t *testing.T) {
	b := make([]byte, sizeofAssocStats)
	sa, err := packSockaddrs([]netip.Addr{netip.MustParseAddr("192.0.2.251")}, 9)
	require.NoError(t, err)
	copy(b[assocStatsAddrOff:], sa)
	for i := range 15 { // sas_maxrto, then the counters in linux/sctp.h's order
		binary.NativeEndian.PutUint64(b[assocStatsCountersOff+8*i:], uint64(100+i))
	}
	got := unmarshalAssocStats(b)
	require.Equal(t, uint64(100), got.maxRTOJiffies)
	require.True(t, got.s.MaxRTOAddr.IP.Equal(net.ParseIP("192.0.2.251")), "%v", got.s.MaxRTOAddr)
	got.s.MaxRTOAddr = net.IPAddr{}
	require.Equal(t, AssocStats{
		SACKsReceived: 101, SACKsSent: 102, PacketsSent: 103, PacketsReceived: 104,
		RetransmittedChunks: 105, OutOfSeqTSNs: 106, DuplicateTSNs: 107, GapAcks: 108,
		UnorderedSent: 109, UnorderedReceived: 110, OrderedSent: 111, OrderedReceived: 112,
		ControlSent: 113, ControlReceived: 114,
	}, got.s)
	require.Equal(t, 400*time.Millisecond, got.stats(250).MaxRTO, "100 jiffies at HZ=250")
	require.Zero(t, got.stats(0).MaxRTO, "unknown tick rate")
}

// TestHZFrom finds the tick rate under which RTO.Min is so many jiffies,
// and refuses to guess when several rates fit.
func TestHZFrom(t *testing.T) {
	for _, tc := range []struct {
		jiffies uint64
		min     time.Duration
		want    uint32
	}{
		{250, time.Second, 250},
		{1000, time.Second, 1000},
		{100, time.Second, 100},
		{300, time.Second, 300},
		{13, 50 * time.Millisecond, 250}, // msecs_to_jiffies rounds up
		{15, 50 * time.Millisecond, 300},
		{5, 50 * time.Millisecond, 100},
		{1, time.Millisecond, 0}, // 100, 250 and 300 all fit
		{251, time.Second, 0},    // none fits: an RTO rose in between
	} {
		require.Equal(t, tc.want, hzFrom(tc.jiffies, tc.min), "%d jiffies = %v", tc.jiffies, tc.min)
	}
}
