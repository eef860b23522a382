package sctpdial

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sctpdial/sctpdial/internal/vmtest"
	"github.com/stretchr/testify/require"
)

// traceLog records a DialTrace's events in order.
type traceLog struct {
	mu     sync.Mutex
	events []any
}

func (l *traceLog) add(e any) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

func (l *traceLog) trace() *DialTrace {
	return &DialTrace{
		ResolveStart: func(i ResolveStartInfo) { l.add(i) },
		ResolveDone:  func(i ResolveDoneInfo) { l.add(i) },
		ConnectStart: func(i ConnectStartInfo) { l.add(i) },
		ConnectDone:  func(i ConnectDoneInfo) { l.add(i) },
	}
}

func (l *traceLog) all() []any {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]any(nil), l.events...)
}

// fastINIT makes each INIT retransmission quick.
var fastINIT = RTOInfo{Initial: 100 * time.Millisecond, Min: 50 * time.Millisecond, Max: 200 * time.Millisecond}

// TestDialTraceSilentFirst dials a name whose first address is silent: the
// trace shows the lookup with both addresses, the connect with the full
// list and its pacing, and an outcome saying that the second address
// answered after a retransmitted INIT.
func TestDialTraceSilentFirst(t *testing.T) {
	requireGuest(t)
	checkNoLeaks(t)
	l := listenT(t, &ListenConfig{InitMsg: peerInitMsg}, "sctp", hostPortList(0, vmtest.LocalIPv4A, vmtest.LocalIPv4B))
	port := listenerPort(t, l)

	var log traceLog
	ctx := WithDialTrace(context.Background(), log.trace())
	d := Dialer{InitMsg: peerInitMsg, RTO: fastINIT, Timeout: 10 * time.Second}
	c, err := d.DialSCTP(ctx, "sctp", vmtest.HostSilentFirst+":"+strconv.Itoa(port))
	require.NoError(t, err)
	defer c.Close()

	silent, answer, other := netip.MustParseAddr(vmtest.SilentIPv4), netip.MustParseAddr(vmtest.LocalIPv4A), netip.MustParseAddr(vmtest.LocalIPv4B)
	ev := log.all()
	require.Len(t, ev, 4, "%+v", ev)
	require.Equal(t, ResolveStartInfo{Host: vmtest.HostSilentFirst}, ev[0])
	require.Equal(t, ResolveDoneInfo{Host: vmtest.HostSilentFirst, Addrs: []netip.Addr{silent, answer}}, ev[1])
	require.Equal(t, ConnectStartInfo{Network: "sctp", Addrs: []netip.Addr{silent, answer}, Port: port,
		Pacing: InitPacing{RTOInitial: fastINIT.Initial}}, ev[2])
	done, ok := ev[3].(ConnectDoneInfo)
	require.True(t, ok, "%T", ev[3])
	t.Logf("ConnectDone: %+v", done)
	require.NoError(t, done.Err)
	require.Equal(t, []netip.Addr{silent, answer}, done.Addrs)
	require.Equal(t, answer, done.Answered, "the listening address answered")
	require.GreaterOrEqual(t, done.INITs, 2, "the first INIT went to the silent address")
	require.GreaterOrEqual(t, done.Elapsed, fastINIT.Initial, "the INIT was retransmitted after RTO.Initial")
	states := map[netip.Addr]PathState{}
	for _, p := range done.Peers {
		states[ipAddrToNetip(p.Addr)] = p.State
	}
	require.Equal(t, map[netip.Addr]PathState{answer: PathActive, other: PathUnconfirmed}, states,
		"the peer's addresses; the silent one is gone")
	// Measured: the kernel moves the primary path to the answering address.
	require.Equal(t, answer, done.Primary)
}

// TestDialTraceOutcomes checks the connect events of failed dials: a
// refusal reaches ConnectDone with its error; a dial that fails before it
// has a socket runs no connect hook; nested traces both run.
func TestDialTraceOutcomes(t *testing.T) {
	requireGuest(t)
	checkNoLeaks(t)
	// Bound to A only: the same port on B refuses.
	_, port := listenPeer(t, vmtest.LocalIPv4A)

	var outer, inner traceLog
	ctx := WithDialTrace(WithDialTrace(context.Background(), outer.trace()), inner.trace())
	d := Dialer{InitMsg: peerInitMsg, Timeout: 10 * time.Second}
	_, err := d.DialContext(ctx, "sctp", hostPortList(port, vmtest.LocalIPv4B))
	require.ErrorIs(t, err, syscall.ECONNREFUSED)
	for _, l := range []*traceLog{&inner, &outer} {
		ev := l.all()
		require.Len(t, ev, 2, "%+v", ev)
		start := ev[0].(ConnectStartInfo)
		require.Equal(t, []netip.Addr{netip.MustParseAddr(vmtest.LocalIPv4B)}, start.Addrs)
		done := ev[1].(ConnectDoneInfo)
		require.Equal(t, err, done.Err, "ConnectDone sees the error the caller gets")
		require.Zero(t, done.INITs)
		require.False(t, done.Answered.IsValid())
	}

	var none traceLog
	ctx = WithDialTrace(context.Background(), none.trace())
	_, err = d.DialContext(ctx, "sctp", "no-such-host.invalid:"+fmt.Sprint(port))
	require.Error(t, err)
	ev := none.all()
	require.Len(t, ev, 2, "%+v", ev)
	require.Equal(t, ResolveStartInfo{Host: "no-such-host.invalid"}, ev[0])
	require.Error(t, ev[1].(ResolveDoneInfo).Err)
}
