//go:build linux

package sctpdial

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestMarshalRTOInfo(t *testing.T) {
	// struct sctp_rtoinfo { sctp_assoc_t srto_assoc_id; __u32 srto_initial, srto_max, srto_min; }
	type rawRTOInfo struct {
		assoc             int32
		initial, max, min uint32
	}
	tests := []struct {
		name string
		in   RTOInfo
		want rawRTOInfo
		err  bool
	}{
		{"zero keeps all", RTOInfo{}, rawRTOInfo{assoc: 7}, false},
		{"whole ms", RTOInfo{Initial: 300 * time.Millisecond, Max: 2 * time.Second, Min: 100 * time.Millisecond}, rawRTOInfo{7, 300, 2000, 100}, false},
		{"rounds up", RTOInfo{Initial: 1500 * time.Microsecond, Min: time.Nanosecond}, rawRTOInfo{7, 2, 0, 1}, false},
		{"clamps", RTOInfo{Max: math.MaxInt64}, rawRTOInfo{7, 0, math.MaxUint32, 0}, false},
		{"negative", RTOInfo{Min: -time.Millisecond}, rawRTOInfo{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := marshalRTOInfo(7, tt.in)
			if tt.err {
				require.ErrorIs(t, err, errNegativeDuration)
				return
			}
			require.NoError(t, err)
			require.Equal(t, rawBytesOf(&tt.want), b[:])
			back := unmarshalRTOInfo(b[:])
			if tt.name == "whole ms" {
				require.Equal(t, tt.in, back)
			}
		})
	}
}

func TestPathParamsRaw(t *testing.T) {
	tests := []struct {
		name string
		in   PathParams
		want paddrParams
		err  bool
	}{
		{"zero changes nothing", PathParams{}, paddrParams{assoc: 3}, false},
		{"interval enables", PathParams{HeartbeatInterval: 1500 * time.Millisecond}, paddrParams{assoc: 3, hbInterval: 1500, flags: sppHBEnable}, false},
		{"disable wins", PathParams{HeartbeatInterval: time.Second, HeartbeatDisabled: true}, paddrParams{assoc: 3, flags: sppHBDisable}, false},
		{"max retrans", PathParams{PathMaxRetrans: 3, PathMTU: 1400}, paddrParams{assoc: 3, pathMaxRxt: 3}, false},
		{"negative", PathParams{HeartbeatInterval: -1}, paddrParams{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pp, err := pathParamsToRaw(3, tt.in)
			if tt.err {
				require.ErrorIs(t, err, errNegativeDuration)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, pp)
		})
	}
	got := pathParamsFromRaw(&paddrParams{hbInterval: 30000, pathMaxRxt: 5, pathMTU: 1500, flags: sppHBDisable | 1<<3})
	require.Equal(t, PathParams{HeartbeatInterval: 30 * time.Second, HeartbeatDisabled: true, PathMaxRetrans: 5, PathMTU: 1500}, got)
}
