package sctpdial

import (
	"math"
	"math/rand/v2"
	"time"
)

// Backoff is the redial schedule of a Supervisor: exponential with
// jitter, the shape and defaults of gRPC's connection backoff
// (grpc/doc/connection-backoff.md), which Go users already tune. The n-th
// consecutive failed attempt is followed by a wait of
// min(Initial·Multiplier^(n−1), Max), spread by ±Jitter. The zero value
// is ready to use.
type Backoff struct {
	// Initial is the wait after the first failure. Zero means 1 s.
	Initial time.Duration
	// Max caps the wait. Zero means 120 s.
	Max time.Duration
	// Multiplier is the growth factor per failure. Values up to 1 (zero
	// included) mean 1.6.
	Multiplier float64
	// Jitter spreads each wait uniformly over ±Jitter of it, so that the
	// clients of a restarting peer do not redial in step. Zero means 0.2;
	// a negative value means none; values above 1 mean 1.
	Jitter float64
	// StableAfter is how long an association must stay up for the
	// schedule to start over: the next redial after it ends is then
	// immediate. An association that ends sooner counts as one more
	// failure, so a peer that accepts and aborts at once is redialed with
	// growing waits. Zero means 10 s.
	StableAfter time.Duration
}

// withDefaults fills in the zero fields.
func (b Backoff) withDefaults() Backoff {
	if b.Initial <= 0 {
		b.Initial = time.Second
	}
	if b.Max <= 0 {
		b.Max = 120 * time.Second
	}
	if b.Max < b.Initial {
		b.Max = b.Initial
	}
	if b.Multiplier <= 1 {
		b.Multiplier = 1.6
	}
	switch {
	case b.Jitter == 0:
		b.Jitter = 0.2
	case b.Jitter < 0:
		b.Jitter = 0
	case b.Jitter > 1:
		b.Jitter = 1
	}
	if b.StableAfter <= 0 {
		b.StableAfter = 10 * time.Second
	}
	return b
}

// base is the wait after failures consecutive failures, before jitter
// (b has its defaults).
func (b Backoff) base(failures int) time.Duration {
	if failures <= 0 {
		return 0
	}
	d := float64(b.Initial) * math.Pow(b.Multiplier, float64(failures-1))
	if d >= float64(b.Max) || math.IsInf(d, 0) || math.IsNaN(d) {
		return b.Max
	}
	return time.Duration(d)
}

// delay is base with jitter; r is uniform in [0, 1).
func (b Backoff) delay(failures int, r float64) time.Duration {
	d := b.base(failures)
	return time.Duration(float64(d) * (1 + b.Jitter*(2*r-1)))
}

// next is delay with a random draw.
func (b Backoff) next(failures int) time.Duration { return b.delay(failures, rand.Float64()) }
