package sctpdial

import (
	"context"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// traceCases are the contexts a dial's tracing cost is compared under:
// none, a nil DialTrace (WithDialTrace returns the context as it is), a
// DialTrace without hooks, and one with every hook.
func traceCases() []struct {
	name string
	ctx  context.Context
} {
	bg := context.Background()
	return []struct {
		name string
		ctx  context.Context
	}{
		{"none", bg},
		{"nil", WithDialTrace(bg, nil)},
		{"empty", WithDialTrace(bg, &DialTrace{})},
		{"hooks", WithDialTrace(bg, countingTrace())},
	}
}

// BenchmarkDialTrace compares a loopback dial + close without a trace,
// with a nil one, with one without hooks and with every hook set (which
// reads the association's statistics, status and paths for ConnectDone).
func BenchmarkDialTrace(b *testing.B) {
	requireSCTP(b)
	ln := startRawAcceptor(b, unix.IPPROTO_SCTP)
	addr := hostPortList(ln.port, "127.0.0.1")
	d := Dialer{InitMsg: peerInitMsg}
	for _, tc := range traceCases() {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c, err := d.DialContext(tc.ctx, "sctp", addr)
				if err != nil {
					b.Fatal(err)
				}
				c.Close()
			}
		})
	}
}

// TestDialTraceNoCost: a dial allocates as much with a nil DialTrace, or
// one without hooks, as with none; with hooks it costs more (the
// ConnectDone figures), which shows the measure can tell. A dial's own
// count varies by an allocation or two (the handshake may or may not
// need a wait in the poller; the race detector's runtime), so the cases
// are measured in interleaved rounds and each keeps its least mean.
func TestDialTraceNoCost(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	ln := startRawAcceptor(t, unix.IPPROTO_SCTP)
	addr := hostPortList(ln.port, "127.0.0.1")
	d := Dialer{InitMsg: peerInitMsg}
	cases := traceCases()
	dial := func(ctx context.Context) {
		c, err := d.DialContext(ctx, "sctp", addr)
		require.NoError(t, err)
		c.Close()
	}
	for _, tc := range cases {
		dial(tc.ctx) // warm up: the tick-rate measure, pools
	}
	const rounds, perRound = 8, 10
	allocs := map[string]float64{}
	var ms runtime.MemStats
	for range rounds {
		for _, tc := range cases {
			runtime.ReadMemStats(&ms)
			before := ms.Mallocs
			for range perRound {
				dial(tc.ctx)
			}
			runtime.ReadMemStats(&ms)
			mean := float64(ms.Mallocs-before) / perRound
			if old, ok := allocs[tc.name]; !ok || mean < old {
				allocs[tc.name] = mean
			}
		}
	}
	t.Logf("least mean allocations per dial: %v", allocs)
	require.InDelta(t, allocs["none"], allocs["nil"], 1, "a nil trace costs nothing")
	require.InDelta(t, allocs["none"], allocs["empty"], 1, "a trace without hooks costs nothing")
	require.Greater(t, allocs["hooks"], allocs["none"]+5, "every hook, and the ConnectDone figures")
}
