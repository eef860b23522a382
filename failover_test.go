package sctpdial

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestFailoverWithin(t *testing.T) {
	for _, tc := range []struct {
		d        time.Duration
		max, min time.Duration
	}{
		{time.Second, 500 * time.Millisecond, 250 * time.Millisecond},
		{4 * time.Second, 2 * time.Second, time.Second},
		{800 * time.Millisecond, 400 * time.Millisecond, 250 * time.Millisecond},
		// Below 600 ms the kernel's 200 ms heartbeat floor rules.
		{100 * time.Millisecond, 300 * time.Millisecond, 250 * time.Millisecond},
		{0, 300 * time.Millisecond, 250 * time.Millisecond},
		{-time.Second, 300 * time.Millisecond, 250 * time.Millisecond},
	} {
		f := FailoverWithin(tc.d)
		require.Equal(t, RTOInfo{Initial: tc.max, Max: tc.max, Min: tc.min}, f.RTO, "d=%v", tc.d)
		require.Equal(t, tc.max, f.HeartbeatInterval, "d=%v", tc.d)
		require.Equal(t, &PathThresholds{PathMaxRetrans: 2}, f.Thresholds, "d=%v", tc.d)
		require.Equal(t, uint16(4), f.AssocMaxRetrans, "d=%v", tc.d)
		require.Equal(t, PFExposeOn, f.ExposePF)
		// The kernel accepts the limit on a live two-path association.
		require.LessOrEqual(t, f.AssocMaxRetrans, 2*f.Thresholds.PathMaxRetrans)
		require.LessOrEqual(t, f.Thresholds.PFThreshold, f.Thresholds.SwitchoverThreshold)
		require.LessOrEqual(t, f.RTO.Min, f.RTO.Max)
	}
}

func TestMergeRTO(t *testing.T) {
	base := RTOInfo{Initial: 1, Max: 2, Min: 3}
	require.Equal(t, base, mergeRTO(base, RTOInfo{}))
	require.Equal(t, RTOInfo{Initial: 1, Max: 9, Min: 3}, mergeRTO(base, RTOInfo{Max: 9}))
	require.Equal(t, RTOInfo{Initial: 7, Max: 8, Min: 9}, mergeRTO(base, RTOInfo{Initial: 7, Max: 8, Min: 9}))
}

func TestPFExposeString(t *testing.T) {
	for e, want := range map[PFExpose]string{PFExposeDefault: "default", PFExposeOff: "off", PFExposeOn: "on", 7: "PFExpose(7)"} {
		require.Equal(t, want, e.String())
	}
}

// The pacing of a multi-address dial steps aside for a Failover that sets
// the initial RTO, as for Dialer.RTO.
func TestFailoverInitialRTOTurnsPacingOff(t *testing.T) {
	d := Dialer{Failover: FailoverWithin(time.Second)}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	require.Nil(t, d.initPacing(ctx, 2))
	d.Failover.RTO.Initial = 0
	require.NotNil(t, d.initPacing(ctx, 2))
}
