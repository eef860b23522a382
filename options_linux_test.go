package sctpdial

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestHeartbeatParams: the SCTP_PEER_ADDR_PARAMS request of SetHeartbeat.
// Intervals round up to milliseconds and saturate; zero enables with
// spp_hbinterval 0, which the kernel reads as "keep the interval".
func TestHeartbeatParams(t *testing.T) {
	tests := []struct {
		interval time.Duration
		flags    uint32
		ms       uint32
	}{
		{0, sppHBEnable, 0},
		{-1, sppHBDisable, 0},
		{-time.Hour, sppHBDisable, 0},
		{1, sppHBEnable, 1},
		{time.Millisecond, sppHBEnable, 1},
		{1500 * time.Microsecond, sppHBEnable, 2},
		{30 * time.Second, sppHBEnable, 30000},
		{math.MaxUint32 * time.Millisecond, sppHBEnable, math.MaxUint32},
		{math.MaxUint32*time.Millisecond + 1, sppHBEnable, math.MaxUint32},
		{math.MaxInt64, sppHBEnable, math.MaxUint32},
	}
	for _, tt := range tests {
		pp := heartbeatParams(7, tt.interval)
		require.Equal(t, paddrParams{assoc: 7, flags: tt.flags, hbInterval: tt.ms}, pp, "interval %v", tt.interval)
	}
}
