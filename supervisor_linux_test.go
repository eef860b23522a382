package sctpdial

import (
	"context"
	"errors"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestSupervisorPeerAbort: the peer aborts the association; the
// Supervisor reports it down with the peer's ECONNRESET, redials after
// the first backoff step (the association was not stable), and messages
// flow both ways on the new association.
func TestSupervisorPeerAbort(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	peer := startSupPeer(t, ListenConfig{}, "127.0.0.1:0")
	evs, msgs := newEventLog(), newMsgLog()
	backoff := Backoff{Initial: 300 * time.Millisecond, Max: time.Second, StableAfter: time.Minute}
	d := Dialer{InitMsg: peerInitMsg}
	s, err := d.Supervise(context.Background(), "sctp", hostPortList(peer.port, "127.0.0.1"),
		&SupervisorConfig{Backoff: backoff, OnEvent: evs.on, Handler: msgs.handle})
	require.NoError(t, err)
	defer s.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c1, err := s.WaitConn(ctx)
	require.NoError(t, err)
	up := evs.wait(t, SupervisorUp, 5*time.Second)
	require.NotNil(t, up.Remote)
	require.Equal(t, "127.0.0.1", up.Primary.IP.String())
	a1 := peer.accept(t, 5*time.Second)

	require.NoError(t, s.Send(ctx, []byte("hello"), &MsgInfo{Stream: 2, PPID: 46}))
	got, info := readMsgWithin(t, a1, 5*time.Second)
	require.Equal(t, "hello", got)
	require.Equal(t, uint16(2), info.Stream)
	require.Equal(t, uint32(46), info.PPID)
	_, err = a1.WriteMsg([]byte("from the peer"), nil)
	require.NoError(t, err)
	select {
	case m := <-msgs.ch:
		require.Equal(t, "from the peer", m)
	case <-time.After(5 * time.Second):
		t.Fatal("the Handler got nothing")
	}

	abortConn(t, a1)
	aborted := time.Now()
	down := evs.wait(t, SupervisorDown, 5*time.Second)
	var de *DownError
	require.ErrorAs(t, down.Err, &de, "down: %v", down.Err)
	ac, isChange := de.Notification.(AssocChange)
	require.True(t, errors.Is(de, syscall.ECONNRESET) || (isChange && ac.State == CommLost),
		"an ABORT shows as ECONNRESET or COMM_LOST: %v", de)
	require.Equal(t, 1, down.Attempt)
	wait := down.NextAttempt.Sub(down.Time)
	require.GreaterOrEqual(t, wait, 240*time.Millisecond, "first backoff step is 300 ms −20%%")
	require.LessOrEqual(t, wait, 360*time.Millisecond, "first backoff step is 300 ms +20%%")

	// Conn never hands out the dead association.
	if c, err := s.Conn(); err == nil {
		require.NotSame(t, c1, c)
	} else {
		var nce *NotConnectedError
		require.ErrorAs(t, err, &nce)
	}

	evs.wait(t, SupervisorUp, 5*time.Second)
	redial := time.Since(aborted)
	t.Logf("redialed %v after the ABORT (backoff %v)", redial, wait)
	require.Less(t, redial, wait+time.Second, "redial within the backoff bound (plus a dial on loopback)")
	c2, err := s.Conn()
	require.NoError(t, err)
	require.NotSame(t, c1, c2)
	a2 := peer.accept(t, 5*time.Second)
	require.NoError(t, s.Send(ctx, []byte("again"), nil))
	got, _ = readMsgWithin(t, a2, 5*time.Second)
	require.Equal(t, "again", got)

	// The counters move just after the kernel took the message.
	require.Eventually(t, func() bool { return s.Stats().SentMessages == 2 }, time.Second, time.Millisecond)
	st := s.Stats()
	require.Equal(t, uint64(1), st.Reconnects)
	require.Equal(t, uint64(2), st.Dials)
	require.Equal(t, uint64(1), st.ReceivedMessages)
	require.Equal(t, SupervisorUp, st.State)

	require.NoError(t, s.Close())
	require.ErrorIs(t, s.Close(), net.ErrClosed)
	require.ErrorIs(t, s.Send(ctx, []byte("x"), nil), net.ErrClosed)
	_, err = s.Conn()
	var nce *NotConnectedError
	require.ErrorAs(t, err, &nce)
	require.Equal(t, SupervisorClosed, nce.State)
}

// TestSupervisorBackoffListenerGone: with nothing listening every dial is
// refused at once, and the attempts follow the schedule (no jitter here:
// 100, 200, 400, 400 ms); when the listener returns on the same port the
// next attempt connects.
func TestSupervisorBackoffListenerGone(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	peer := startSupPeer(t, ListenConfig{}, "127.0.0.1:0")
	addr := hostPortList(peer.port, "127.0.0.1")
	evs := newEventLog()
	d := Dialer{InitMsg: peerInitMsg}
	s, err := d.Supervise(context.Background(), "sctp", addr, &SupervisorConfig{
		Backoff: Backoff{Initial: 100 * time.Millisecond, Multiplier: 2, Max: 400 * time.Millisecond, Jitter: -1, StableAfter: time.Minute},
		OnEvent: evs.on,
	})
	require.NoError(t, err)
	defer s.Close()
	evs.wait(t, SupervisorUp, 5*time.Second)
	a := peer.accept(t, 5*time.Second)

	_ = a
	peer.close() // closes a too
	down := evs.wait(t, SupervisorDown, 5*time.Second)
	t.Logf("down: %v", down.Err)

	// Watch the refused attempts for 1.5 s, then listen again.
	var connecting []time.Time
	var refused []SupervisorEvent
	deadline := time.After(1500 * time.Millisecond)
collect:
	for {
		select {
		case ev := <-evs.ch:
			switch ev.State {
			case SupervisorConnecting:
				connecting = append(connecting, ev.Time)
			case SupervisorDown:
				refused = append(refused, ev)
			case SupervisorUp:
				t.Fatal("connected with nothing listening")
			}
		case <-deadline:
			break collect
		}
	}
	require.GreaterOrEqual(t, len(refused), 3, "events: %+v", evs.all())
	for i, ev := range refused {
		require.ErrorIs(t, ev.Err, syscall.ECONNREFUSED)
		require.Equal(t, i+2, ev.Attempt)
		want := min(100*time.Millisecond<<(i+1), 400*time.Millisecond)
		require.Equal(t, want, ev.NextAttempt.Sub(ev.Time).Round(time.Millisecond), "wait after attempt %d", ev.Attempt)
	}
	// The first reconnect waits 100 ms, then 200, 400, 400: measured gaps
	// between dial starts are the wait plus a refused dial.
	wants := []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 400 * time.Millisecond}
	for i := 1; i < len(connecting) && i <= len(wants); i++ {
		gap := connecting[i].Sub(connecting[i-1])
		t.Logf("attempt %d started %v after the previous one", i+1, gap)
		require.GreaterOrEqual(t, gap, wants[i-1])
		require.Less(t, gap, wants[i-1]+500*time.Millisecond, "the wait plus a refused dial (and a loaded machine)")
	}

	back := startSupPeer(t, ListenConfig{}, addr)
	relisten := time.Now()
	evs.wait(t, SupervisorUp, 3*time.Second)
	t.Logf("connected %v after the listener came back", time.Since(relisten))
	require.Less(t, time.Since(relisten), 400*time.Millisecond+time.Second)
	back.accept(t, 5*time.Second)
	st := s.Stats()
	require.Equal(t, uint64(1), st.Reconnects)
	require.GreaterOrEqual(t, st.DialFailures, uint64(3))
}

// TestSupervisorGiveUp: MaxAttempts refused dials end the Supervisor;
// Send and WaitConn then fail with a NotConnectedError in SupervisorGaveUp.
func TestSupervisorGiveUp(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	peer := startSupPeer(t, ListenConfig{}, "127.0.0.1:0")
	port := peer.port
	peer.close() // a port nothing listens on
	evs := newEventLog()
	var d Dialer
	s, err := d.Supervise(context.Background(), "sctp", "127.0.0.1:"+strconv.Itoa(port), &SupervisorConfig{
		Backoff: Backoff{Initial: 10 * time.Millisecond, Max: 20 * time.Millisecond}, MaxAttempts: 3, OnEvent: evs.on,
	})
	require.NoError(t, err)
	defer s.Close()
	gave := evs.wait(t, SupervisorGaveUp, 5*time.Second)
	require.ErrorIs(t, gave.Err, syscall.ECONNREFUSED)
	_, err = s.WaitConn(context.Background())
	var nce *NotConnectedError
	require.ErrorAs(t, err, &nce)
	require.Equal(t, SupervisorGaveUp, nce.State)
	require.ErrorIs(t, s.Send(context.Background(), []byte("x"), nil), syscall.ECONNREFUSED)
	require.Equal(t, uint64(3), s.Stats().Dials)
}

// TestSuperviseBadInput: a network or address that can never be dialed
// fails at once, without starting anything.
func TestSuperviseBadInput(t *testing.T) {
	checkNoLeaks(t)
	var d Dialer
	for _, tc := range []struct{ network, address string }{
		{"udp", "127.0.0.1:9"},
		{"sctp", "127.0.0.1"},
		{"sctp", ",:9"},
		{"sctp4", "[2001:db8::1]:9"},
	} {
		s, err := d.Supervise(context.Background(), tc.network, tc.address, nil)
		require.Error(t, err, "%s %s", tc.network, tc.address)
		require.Nil(t, s)
		var oe *net.OpError
		require.ErrorAs(t, err, &oe)
	}
}

// TestSupervisorMessages: messages longer than the read buffer reach the
// Handler whole; one longer than MaxMessageSize ends the association with
// EMSGSIZE; OnNotification sees the association's notifications.
func TestSupervisorMessages(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	peer := startSupPeer(t, ListenConfig{}, "127.0.0.1:0")
	evs, msgs := newEventLog(), newMsgLog()
	notes := make(chan Notification, 64)
	d := Dialer{InitMsg: peerInitMsg}
	s, err := d.Supervise(context.Background(), "sctp", hostPortList(peer.port, "127.0.0.1"), &SupervisorConfig{
		MaxMessageSize: 150 << 10,
		Backoff:        Backoff{Initial: 50 * time.Millisecond},
		Handler:        msgs.handle,
		OnEvent:        evs.on,
		OnNotification: func(c *Conn, n Notification) {
			select {
			case notes <- n:
			default:
			}
		},
	})
	require.NoError(t, err)
	defer s.Close()
	evs.wait(t, SupervisorUp, 5*time.Second)
	a := peer.accept(t, 5*time.Second)

	select {
	case n := <-notes:
		require.IsType(t, SenderDry{}, n, "subscribing with nothing in flight yields SENDER_DRY")
	case <-time.After(5 * time.Second):
		t.Fatal("OnNotification got nothing")
	}

	big := make([]byte, 100<<10)
	for i := range big {
		big[i] = byte(i * 7)
	}
	require.NoError(t, a.SetWriteDeadline(time.Now().Add(5*time.Second)))
	_, err = a.WriteMsg(big, &MsgInfo{Stream: 1})
	require.NoError(t, err)
	select {
	case m := <-msgs.ch:
		require.Equal(t, string(big), m, "reassembled from several reads")
	case <-time.After(5 * time.Second):
		t.Fatal("the Handler got nothing")
	}

	_, err = a.WriteMsg(make([]byte, 200<<10), nil)
	require.NoError(t, err)
	down := evs.wait(t, SupervisorDown, 5*time.Second)
	require.ErrorIs(t, down.Err, syscall.EMSGSIZE)
	evs.wait(t, SupervisorUp, 5*time.Second)
	require.Equal(t, uint64(1), s.Stats().ReceivedMessages)

	// A stream the association does not have: the kernel rejects that
	// message (EINVAL) on a live association; it is dropped, counted, and
	// the association and the messages after it go on.
	a2 := peer.accept(t, 5*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, s.Send(ctx, []byte("nowhere"), &MsgInfo{Stream: 500}))
	require.NoError(t, s.Send(ctx, []byte("after"), &MsgInfo{Stream: 1}))
	got, _ := readMsgWithin(t, a2, 5*time.Second)
	require.Equal(t, "after", got)
	require.Equal(t, uint64(1), s.Stats().Dropped)
	require.Equal(t, SupervisorUp, s.Stats().State)
}
