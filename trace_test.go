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
