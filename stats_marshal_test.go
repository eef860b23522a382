//go:build linux

package sctpdial

import (
	"encoding/binary"
	"net"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestUnmarshalAssocStats lays out struct sctp_assoc_stats field by field
// and reads it back: each counter lands in its own field.
// assocStatsLayouts are the offsets of sas_obs_rto_ipaddr and sas_maxrto
// in struct sctp_assoc_stats per ABI, written out rather than computed:
// the address is aligned as a pointer, the __u64 counters to 8 bytes
// except on i386, where the ABI aligns them to 4.
var assocStatsLayouts = map[string][2]int{
	"386": {4, 132}, "arm": {4, 136}, "mips": {4, 136}, "mipsle": {4, 136},
	"amd64": {8, 136}, "arm64": {8, 136}, "s390x": {8, 136}, "ppc64le": {8, 136}, "riscv64": {8, 136},
}

func TestUnmarshalAssocStats(t *testing.T) {
	layout, ok := assocStatsLayouts[runtime.GOARCH]
	if !ok {
		t.Skipf("no layout of struct sctp_assoc_stats written down for %s", runtime.GOARCH)
	}
	require.Equal(t, layout[0], assocStatsAddrOff, "sas_obs_rto_ipaddr")
	require.GreaterOrEqual(t, sizeofAssocStats, layout[1]+15*8, "the buffer holds every counter")
	b := make([]byte, sizeofAssocStats)
	sa, err := packSockaddrs([]netip.Addr{netip.MustParseAddr("192.0.2.251")}, 9)
	require.NoError(t, err)
	copy(b[layout[0]:], sa)
	for i := range 15 { // sas_maxrto, then the counters in linux/sctp.h's order
		binary.NativeEndian.PutUint64(b[layout[1]+8*i:], uint64(100+i))
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
