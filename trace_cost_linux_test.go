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
// ConnectDone figures), which shows the measure can tell. A dial's count
// varies from one dial to the next (whether the handshake needs a wait in
// the poller; the runtime's own allocations, the race detector's), only
// ever upwards from the count of the shortest path: the cases take turns,
// one dial at a time, and each keeps its least count.
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
	least := map[string]uint64{}
	var ms runtime.MemStats
	for range 40 {
		for _, tc := range cases {
			runtime.ReadMemStats(&ms)
			before := ms.Mallocs
			dial(tc.ctx)
			runtime.ReadMemStats(&ms)
			n := ms.Mallocs - before
			if old, ok := least[tc.name]; !ok || n < old {
				least[tc.name] = n
			}
		}
	}
	t.Logf("least allocations per dial: %v", least)
	require.Equal(t, least["none"], least["nil"], "a nil trace costs nothing")
	require.Equal(t, least["none"], least["empty"], "a trace without hooks costs nothing")
	require.Greater(t, least["hooks"], least["none"]+5, "every hook, and the ConnectDone figures")
}
