package sctpdial

import (
	"context"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/stretchr/testify/require"
)

func TestPacedInitRTO(t *testing.T) {
	for _, tt := range []struct {
		name      string
		addrs     int
		remaining time.Duration
		want      time.Duration
	}{
		{"one address is never paced", 1, 3 * time.Second, 0},
		{"no address", 0, 3 * time.Second, 0},
		{"no time left", 2, 0, 0},
		{"past the deadline", 2, -time.Second, 0},
		{"two addresses, 3 s", 2, 3 * time.Second, time.Second},
		{"four addresses, 10 s", 4, 10 * time.Second, 2 * time.Second},
		{"short deadline is clamped", 3, 200 * time.Millisecond, minInitPacing},
	} {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, pacedInitRTO(tt.addrs, tt.remaining))
		})
	}
}

func TestDialerInitPacing(t *testing.T) {
	for _, tt := range []struct {
		name  string
		d     Dialer
		ctx   time.Duration // deadline from the subtest's start; 0: none
		addrs int
		paced bool
		tries bool
	}{
		{"deadline and two addresses", Dialer{}, 3 * time.Second, 2, true, true},
		{"no deadline", Dialer{}, 0, 2, false, false},
		{"one address", Dialer{}, 3 * time.Second, 1, false, false},
		{"opted out", Dialer{DisableInitPacing: true}, 3 * time.Second, 2, false, false},
		{"RTO.Initial set", Dialer{RTO: RTOInfo{Initial: time.Second}}, 3 * time.Second, 2, false, false},
		{"MaxInitTimeout set", Dialer{InitMsg: sctp.InitMsg{MaxInitTimeout: 500}}, 3 * time.Second, 2, false, false},
		{"MaxAttempts set stays", Dialer{InitMsg: sctp.InitMsg{MaxAttempts: 2}}, 3 * time.Second, 2, true, false},
		{"RTO.Min alone still paces", Dialer{RTO: RTOInfo{Min: 50 * time.Millisecond}}, 3 * time.Second, 2, true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.ctx > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctx)
				defer cancel()
			}
			pc := tt.d.initPacing(ctx, tt.addrs)
			if !tt.paced {
				require.Nil(t, pc)
				return
			}
			require.NotNil(t, pc)
			require.InDelta(t, float64(time.Second), float64(pc.rto), float64(50*time.Millisecond))
			require.Equal(t, tt.addrs, pc.addrs)
			require.Equal(t, tt.tries, pc.attempts)
		})
	}
}
