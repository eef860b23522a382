package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const sample = `goos: linux
cpu: QEMU TCG CPU version 2.5+
BenchmarkDial/sctpdial-2   	 100	 1100 ns/op	 900 B/op	 8 allocs/op
BenchmarkDial/sctpdial-2   	 100	 1300 ns/op	 900 B/op	 8 allocs/op
BenchmarkDial/sctpdial-2   	 100	 1200 ns/op	 900 B/op	 8 allocs/op
BenchmarkDial/raw-2        	 100	 1000 ns/op	 0 failed/op	 0 B/op	 0 allocs/op
BenchmarkDial/net-tcp-2    	 100	 500 ns/op	 692 B/op	 15 allocs/op
BenchmarkThroughput/16KiB/sctpdial-2 	 10	 5 ns/op	 60.00 MB/s
BenchmarkThroughput/16KiB/net-tcp-2  	 10	 5 ns/op	 100.00 MB/s
PASS
`

func TestTargets(t *testing.T) {
	r := parse(strings.NewReader(sample))
	require.Equal(t, 2, r.procs)
	m, ok := r.median("Dial/sctpdial", "ns/op")
	require.True(t, ok)
	require.Equal(t, 1200.0, m)
	require.InDelta(t, 100*200.0/1200, r.spread("Dial/sctpdial", "ns/op"), 1e-9)

	byWhat := map[string]target{}
	for _, tg := range r.targets() {
		byWhat[tg.what] = tg
	}
	dial := byWhat["dial + close ÷ raw floor"]
	require.True(t, dial.ok)
	require.InDelta(t, 1.2, dial.value, 1e-9)
	require.Equal(t, "missed by 9 %", dial.verdict())
	require.Equal(t, "met", byWhat["dial allocs ÷ net.Dialer TCP"].verdict())
	require.Equal(t, "met", byWhat["Throughput 16KiB ÷ TCP"].verdict())
	require.Equal(t, "not measured", byWhat["dial + close ÷ ishidawataru"].verdict())

	var doc strings.Builder
	writeDoc(&doc, r, r.targets(), "host: x", "c.svg")
	require.Contains(t, doc.String(), "| dial + close ÷ raw floor | 1.20 × | ≤ 1.10 × | missed by 9 % |")
	require.Contains(t, doc.String(), "![ratios against each target](c.svg)")
	svg := chart(r.targets())
	require.True(t, strings.HasPrefix(svg, "<svg "))
	require.Equal(t, 3, strings.Count(svg, "<rect "), "one bar per measured target")
}
