package sctpdial

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBackoffDefaults(t *testing.T) {
	b := Backoff{}.withDefaults()
	require.Equal(t, Backoff{Initial: time.Second, Max: 120 * time.Second, Multiplier: 1.6, Jitter: 0.2, StableAfter: 10 * time.Second}, b)

	for _, tc := range []struct {
		name string
		in   Backoff
		want Backoff
	}{
		{"max below initial is raised", Backoff{Initial: 5 * time.Second, Max: time.Second}, Backoff{Initial: 5 * time.Second, Max: 5 * time.Second, Multiplier: 1.6, Jitter: 0.2, StableAfter: 10 * time.Second}},
		{"negative jitter means none", Backoff{Jitter: -1}, Backoff{Initial: time.Second, Max: 120 * time.Second, Multiplier: 1.6, Jitter: 0, StableAfter: 10 * time.Second}},
		{"jitter above 1 is 1", Backoff{Jitter: 7}, Backoff{Initial: time.Second, Max: 120 * time.Second, Multiplier: 1.6, Jitter: 1, StableAfter: 10 * time.Second}},
		{"multiplier up to 1 means 1.6", Backoff{Multiplier: 0.5}, Backoff{Initial: time.Second, Max: 120 * time.Second, Multiplier: 1.6, Jitter: 0.2, StableAfter: 10 * time.Second}},
		{"kept", Backoff{Initial: 10 * time.Millisecond, Max: time.Second, Multiplier: 2, Jitter: 0.5, StableAfter: time.Minute}, Backoff{Initial: 10 * time.Millisecond, Max: time.Second, Multiplier: 2, Jitter: 0.5, StableAfter: time.Minute}},
	} {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.want, tc.in.withDefaults()) })
	}
}

// TestBackoffSchedule pins gRPC's schedule: 1 s, 1.6 s, 2.56 s ... capped
// at 120 s, each spread over ±20 %.
func TestBackoffSchedule(t *testing.T) {
	b := Backoff{}.withDefaults()
	for _, tc := range []struct {
		failures int
		want     time.Duration
	}{
		{0, 0},
		{-3, 0},
		{1, time.Second},
		{2, 1600 * time.Millisecond},
		{3, 2560 * time.Millisecond},
		{4, 4096 * time.Millisecond},
		{11, 109951162777 * time.Nanosecond}, // 1.6^10 s
		{12, 120 * time.Second},
		{1000, 120 * time.Second},
		{1 << 30, 120 * time.Second},
	} {
		require.InDelta(t, float64(tc.want), float64(b.base(tc.failures)), float64(time.Microsecond), "failures %d", tc.failures)
		// r spans [0, 1): the extremes are ±Jitter.
		require.InDelta(t, 0.8*float64(tc.want), float64(b.delay(tc.failures, 0)), float64(time.Microsecond))
		require.InDelta(t, float64(tc.want), float64(b.delay(tc.failures, 0.5)), float64(time.Microsecond))
		require.InDelta(t, 1.2*float64(tc.want), float64(b.delay(tc.failures, 1)), float64(time.Microsecond))
	}
}

// TestBackoffJitterSpread draws from a fixed source: every wait stays in
// its ±Jitter band, and the draws do spread over it.
func TestBackoffJitterSpread(t *testing.T) {
	b := Backoff{Initial: 100 * time.Millisecond, Max: time.Second}.withDefaults()
	rng := rand.New(rand.NewPCG(1, 2))
	for failures := 1; failures <= 8; failures++ {
		base := b.base(failures)
		lo, hi := time.Duration(1<<62), time.Duration(0)
		for range 200 {
			d := b.delay(failures, rng.Float64())
			require.GreaterOrEqual(t, d, time.Duration(0.8*float64(base)))
			require.LessOrEqual(t, d, time.Duration(1.2*float64(base)))
			lo, hi = min(lo, d), max(hi, d)
		}
		require.Greater(t, hi-lo, time.Duration(0.3*float64(base)), "200 draws should cover most of the ±20%% band at %d failures", failures)
	}
	// No jitter: exactly the base.
	nj := Backoff{Initial: 100 * time.Millisecond, Jitter: -1}.withDefaults()
	require.Equal(t, 160*time.Millisecond, nj.delay(2, rng.Float64()))
	// next draws from the global source, in the band.
	for range 50 {
		d := b.next(1)
		require.GreaterOrEqual(t, d, 80*time.Millisecond)
		require.LessOrEqual(t, d, 120*time.Millisecond)
	}
}
