package sctpdial

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWithDialTraceComposes: a trace added to a context that has one runs
// first, then the older one's hooks; a nil hook is skipped.
func TestWithDialTraceComposes(t *testing.T) {
	var got []string
	outer := &DialTrace{
		ResolveStart: func(i ResolveStartInfo) { got = append(got, "outer start "+i.Host) },
		ResolveDone:  func(i ResolveDoneInfo) { got = append(got, "outer done "+i.Addrs[0].String()) },
	}
	inner := &DialTrace{ResolveStart: func(i ResolveStartInfo) { got = append(got, "inner start "+i.Host) }}
	ctx := WithDialTrace(WithDialTrace(context.Background(), outer), inner)
	tr := ContextDialTrace(ctx)
	tr.resolveStart("h")
	tr.resolveDone("h", []netip.Addr{netip.MustParseAddr("::ffff:192.0.2.1")}, nil)
	tr.connectStart(&Dialer{}, "sctp", &dialPlan{}) // no hook: nothing happens
	require.Equal(t, []string{"inner start h", "outer start h", "outer done 192.0.2.1"}, got)

	require.Nil(t, ContextDialTrace(context.Background()))
	var none *DialTrace
	none.resolveStart("h") // a nil trace is a no-op
	bg := context.Background()
	require.Equal(t, bg, WithDialTrace(bg, nil), "a nil trace leaves the context as it is")
}

// TestDialTraceResolution: each distinct name is traced once, IP literals
// not at all, and the trace sees the resolver's answer and its errors.
func TestDialTraceResolution(t *testing.T) {
	fake := &fakeLookuper{answers: map[string]fakeAnswer{
		"a.test": {addrs: []string{"192.0.2.1"}},
		"b.test": {err: &net.DNSError{Err: "no such host", Name: "b.test", IsNotFound: true}},
	}}
	var mu sync.Mutex // lookups run concurrently
	var starts []string
	var dones []ResolveDoneInfo
	ctx := WithDialTrace(context.Background(), &DialTrace{
		ResolveStart: func(i ResolveStartInfo) { mu.Lock(); starts = append(starts, i.Host); mu.Unlock() },
		ResolveDone:  func(i ResolveDoneInfo) { mu.Lock(); dones = append(dones, i); mu.Unlock() },
	})
	hp, err := parseMultiAddr("sctp", "a.test,192.0.2.9,A.test,b.test:9")
	require.NoError(t, err)
	addrs, err := resolveAll(ctx, fake, "sctp", hp)
	require.NoError(t, err)
	require.Len(t, addrs, 2)
	slices.Sort(starts)
	require.Equal(t, []string{"a.test", "b.test"}, starts)
	slices.SortFunc(dones, func(a, b ResolveDoneInfo) int { return strings.Compare(a.Host, b.Host) })
	require.Len(t, dones, 2)
	require.Equal(t, ResolveDoneInfo{Host: "a.test", Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.1")}}, dones[0])
	require.Equal(t, "b.test", dones[1].Host)
	var dnsErr *net.DNSError
	require.ErrorAs(t, dones[1].Err, &dnsErr)
}

// TestDialTraceNilAllocs: the dial's calls into an absent trace, or into
// one without hooks, allocate nothing.
func TestDialTraceNilAllocs(t *testing.T) {
	addrs := []netip.Addr{netip.MustParseAddr("192.0.2.1")}
	plan := &dialPlan{raddrs: addrs, port: 9}
	d := &Dialer{}
	for _, ctx := range []context.Context{context.Background(), WithDialTrace(context.Background(), &DialTrace{})} {
		n := testing.AllocsPerRun(100, func() {
			tr := ContextDialTrace(ctx)
			tr.resolveStart("h")
			tr.resolveDone("h", addrs, nil)
			start := tr.connectStart(d, "sctp", plan)
			tr.connectDone("sctp", plan, start, nil, nil)
		})
		require.Zero(t, n)
	}
}

// BenchmarkDialTraceHooks measures the dial's calls into a trace, without
// the dial: absent, without hooks, with every hook.
func BenchmarkDialTraceHooks(b *testing.B) {
	addrs := []netip.Addr{netip.MustParseAddr("192.0.2.1")}
	plan := &dialPlan{raddrs: addrs, port: 9}
	d := &Dialer{}
	for _, tc := range []struct {
		name  string
		trace *DialTrace
	}{{"none", nil}, {"empty", &DialTrace{}}, {"hooks", countingTrace()}} {
		ctx := WithDialTrace(context.Background(), tc.trace)
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tr := ContextDialTrace(ctx)
				tr.resolveStart("h")
				tr.resolveDone("h", addrs, nil)
				start := tr.connectStart(d, "sctp", plan)
				tr.connectDone("sctp", plan, start, nil, nil)
			}
		})
	}
}

// countingTrace returns a DialTrace with every hook set, doing little.
func countingTrace() *DialTrace {
	var n int
	return &DialTrace{
		ResolveStart: func(ResolveStartInfo) { n++ },
		ResolveDone:  func(ResolveDoneInfo) { n++ },
		ConnectStart: func(i ConnectStartInfo) { n += len(i.Addrs) },
		ConnectDone:  func(i ConnectDoneInfo) { n += i.INITs },
	}
}
