package sctpdial

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/stretchr/testify/require"
)

func TestStallSample(t *testing.T) {
	for _, tc := range []struct{ timeout, want time.Duration }{
		{30 * time.Second, time.Second},
		{5 * time.Second, 500 * time.Millisecond},
		{time.Second, 100 * time.Millisecond},
		{50 * time.Millisecond, 10 * time.Millisecond},
		{time.Hour, time.Second},
	} {
		require.Equal(t, tc.want, stallSample(tc.timeout), "timeout %v", tc.timeout)
	}
}

// TestStallProgress pins the progress rule of stall detection.
func TestStallProgress(t *testing.T) {
	for _, tc := range []struct {
		name string
		prev int
		s    stallSampleState
		want bool
	}{
		{"idle", 5, stallSampleState{unacked: 0, rwnd: 0}, true},
		{"idle with an open window", -1, stallSampleState{unacked: 0, rwnd: 65536}, true},
		{"a write waiting for send buffer is not idle", 0, stallSampleState{unacked: 0, rwnd: 0, inWrite: true}, false},
		{"SENDER_DRY", 3, stallSampleState{unacked: 3, rwnd: 0, dried: true}, true},
		{"fewer unacked, window open", 5, stallSampleState{unacked: 4, rwnd: 1000}, true},
		{"same unacked, window open", 5, stallSampleState{unacked: 5, rwnd: 1000}, false},
		{"more unacked, window open", 5, stallSampleState{unacked: 6, rwnd: 1000}, false},
		{"more unacked but the kernel took new data", 5, stallSampleState{unacked: 6, rwnd: 1000, wrote: true}, true},
		{"window closed: fewer unacked is a probe's ack, not progress", 5, stallSampleState{unacked: 1, rwnd: 0}, false},
		{"window closed: writes filling the send buffer are not progress", 1, stallSampleState{unacked: 1, rwnd: 0, wrote: true}, false},
		{"first sample with data outstanding", -1, stallSampleState{unacked: 2, rwnd: 1000}, false},
	} {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.want, progressed(tc.prev, tc.s)) })
	}
}

func TestSupervisorConfigDefaults(t *testing.T) {
	c := SupervisorConfig{}.withDefaults(&Dialer{})
	require.Equal(t, 20*time.Second, c.ConnectTimeout)
	require.Equal(t, 30*time.Second, c.StallTimeout)
	require.Equal(t, 10*time.Second, c.HeartbeatInterval)
	require.Equal(t, 10*time.Second, c.HeartbeatTimeout)
	require.Equal(t, 1<<20, c.MaxMessageSize)
	require.Equal(t, 1<<20, c.MaxQueuedBytes)
	require.Equal(t, 4096, c.MaxQueuedMessages)
	require.Equal(t, time.Second, c.Backoff.Initial)

	c = SupervisorConfig{StallTimeout: -1, HeartbeatInterval: time.Second}.withDefaults(&Dialer{Timeout: 3 * time.Second})
	require.Equal(t, 3*time.Second, c.ConnectTimeout, "the Dialer's Timeout bounds each dial")
	require.Negative(t, c.StallTimeout, "negative: off")
	require.Equal(t, time.Second, c.HeartbeatTimeout)
}

func TestSupervisorStateString(t *testing.T) {
	for s, want := range map[SupervisorState]string{
		SupervisorConnecting: "connecting", SupervisorUp: "up", SupervisorDown: "down",
		SupervisorStalled: "stalled", SupervisorGaveUp: "gave up", SupervisorClosed: "closed",
		SupervisorState(42): "SupervisorState(42)", SupervisorState(-1): "SupervisorState(-1)",
	} {
		require.Equal(t, want, s.String())
	}
	require.Equal(t, "window closed", StallWindowClosed.String())
	require.Equal(t, "StallReason(0)", StallReason(0).String())
}

func TestSupervisorErrors(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	nce := &NotConnectedError{State: SupervisorDown, NextAttempt: at, Err: syscall.ECONNREFUSED}
	require.Equal(t, "sctpdial: not connected (down, next attempt at 2026-01-02T03:04:05Z): connection refused", nce.Error())
	require.ErrorIs(t, nce, syscall.ECONNREFUSED)
	require.Equal(t, "sctpdial: not connected (closed)", (&NotConnectedError{State: SupervisorClosed}).Error())

	stall := &StallError{Reason: StallWindowClosed, For: 1500 * time.Millisecond, Unacked: 1, Queued: 7}
	de := &DownError{Op: "stall", Err: stall, Uptime: 3 * time.Second}
	require.Equal(t, "sctpdial: association down after 3s (stall): sctpdial: association stalled: window closed for 1.5s (unacked chunks 1, peer window 0 bytes, 7 messages queued)", de.Error())
	var se *StallError
	require.ErrorAs(t, de, &se)
	require.Same(t, stall, se)

	de = &DownError{Op: "notification", Notification: AssocChange{State: CommLost, Error: 1}, Uptime: time.Second}
	require.Equal(t, "sctpdial: association down after 1s (notification COMM_LOST, cause 1)", de.Error())
	de = &DownError{Op: "read", Err: io.EOF}
	require.ErrorIs(t, de, io.EOF)

	hb := errors.New("no DWA")
	require.ErrorIs(t, &DownError{Op: "stall", Err: &StallError{Reason: StallHeartbeat, Err: hb}}, hb)

	// WaitConn's error when its context ends matches both.
	ce := &ctxNotConnected{NotConnectedError: nce, ctx: context.DeadlineExceeded}
	require.ErrorIs(t, ce, context.DeadlineExceeded)
	require.ErrorIs(t, ce, syscall.ECONNREFUSED)
	var got *NotConnectedError
	require.ErrorAs(t, ce, &got)
	require.Same(t, nce, got)
}

// TestSupervisorZero: a nil or zero Supervisor (not made by Supervise)
// fails with EINVAL and never panics.
func TestSupervisorZero(t *testing.T) {
	ctx := context.Background()
	for _, s := range []*Supervisor{nil, new(Supervisor)} {
		_, err := s.Conn()
		require.ErrorIs(t, err, syscall.EINVAL)
		_, err = s.WaitConn(ctx)
		require.ErrorIs(t, err, syscall.EINVAL)
		require.ErrorIs(t, s.Send(ctx, []byte("x"), nil), syscall.EINVAL)
		require.ErrorIs(t, s.Close(), syscall.EINVAL)
		require.ErrorIs(t, s.Shutdown(ctx), syscall.EINVAL)
		require.Equal(t, SupervisorStats{State: SupervisorClosed}, s.Stats())
	}
}

// TestStallTrackerBound: on a fixed clock, sampled every StallTimeout/10,
// a stall is declared at the first sample StallTimeout after the last
// progress: between StallTimeout and StallTimeout plus one sample after
// progress stopped, never earlier, and progress in between starts over.
func TestStallTrackerBound(t *testing.T) {
	const timeout = time.Second
	every := stallSample(timeout)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	busy := stallSampleState{unacked: 3, rwnd: 0}
	moving := stallSampleState{unacked: 3, rwnd: 1000, wrote: true}
	for _, stopAfter := range []time.Duration{0, 350 * time.Millisecond, 999 * time.Millisecond, 5 * time.Second} {
		tr := newStallTracker(timeout, start)
		stopped := start // the tracker starts as if it had just seen progress
		declared := false
		for i := 1; i < 1000 && !declared; i++ {
			now := start.Add(time.Duration(i) * every)
			s := busy
			if now.Sub(start) <= stopAfter {
				s = moving
				stopped = now
			}
			d, ok := tr.observe(now, s)
			if !ok {
				require.Less(t, now.Sub(stopped), timeout+every, "progress stopped at %v: no stall declared by %v", stopped.Sub(start), now.Sub(start))
				continue
			}
			require.Equal(t, now.Sub(stopped), d, "For is the time since the last progress")
			require.GreaterOrEqual(t, d, timeout)
			require.Less(t, d, timeout+every)
			declared = true
		}
		require.True(t, declared, "progress stopped after %v: no stall declared", stopAfter)
	}
	// A late sample (the goroutine was not scheduled) reports the real
	// time without progress.
	tr := newStallTracker(timeout, start)
	d, ok := tr.observe(start.Add(2500*time.Millisecond), busy)
	require.True(t, ok)
	require.Equal(t, 2500*time.Millisecond, d)
}

func TestSupervisorEventString(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	remote := &sctp.SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.ParseIP("192.0.2.1")}, {IP: net.ParseIP("198.51.100.1")}}, Port: 3868}
	for _, tc := range []struct {
		ev   SupervisorEvent
		want string
	}{
		{SupervisorEvent{State: SupervisorConnecting, Attempt: 2}, "connecting (attempt 2)"},
		{SupervisorEvent{State: SupervisorUp, Remote: remote, Primary: net.IPAddr{IP: net.ParseIP("192.0.2.1")}}, "up 192.0.2.1/198.51.100.1:3868 (primary 192.0.2.1)"},
		{SupervisorEvent{Time: at, State: SupervisorDown, Err: syscall.ECONNREFUSED, NextAttempt: at.Add(1600 * time.Millisecond)}, "down: connection refused (next attempt in 1.6s)"},
		{SupervisorEvent{State: SupervisorGaveUp, Err: syscall.ETIMEDOUT}, "gave up: connection timed out"},
		{SupervisorEvent{State: SupervisorClosed}, "closed"},
	} {
		require.Equal(t, tc.want, tc.ev.String())
	}
}
