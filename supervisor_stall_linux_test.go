package sctpdial

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// bufferControl sets SO_RCVBUF and SO_SNDBUF (bytes; 0 keeps the default)
// on a socket before it binds or connects.
func bufferControl(rcv, snd int) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			if rcv > 0 {
				serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, rcv)
			}
			if snd > 0 && serr == nil {
				serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_SNDBUF, snd)
			}
		})
		if err != nil {
			return err
		}
		return serr
	}
}

// TestSupervisorStallWedgedPeer: one peer stops reading (small buffers, so
// its window closes at once); its Supervisor detects the stall within
// StallTimeout plus one sample, aborts and redials, and its Send calls
// never block beyond their context. Meanwhile a second Supervisor in the
// same process keeps delivering to a healthy peer without a gap.
func TestSupervisorStallWedgedPeer(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	const stallTimeout = time.Second
	wedged := startSupPeer(t, ListenConfig{Control: bufferControl(4096, 0)}, "127.0.0.1:0")
	healthy := startSupPeer(t, ListenConfig{}, "127.0.0.1:0")
	cfg := func(evs *eventLog) *SupervisorConfig {
		return &SupervisorConfig{
			StallTimeout: stallTimeout,
			Backoff:      Backoff{Initial: 100 * time.Millisecond, Max: 200 * time.Millisecond},
			OnEvent:      evs.on,
		}
	}
	evA, evB := newEventLog(), newEventLog()
	dA := Dialer{InitMsg: peerInitMsg, Control: bufferControl(0, 8192)}
	sA, err := dA.Supervise(context.Background(), "sctp", hostPortList(wedged.port, "127.0.0.1"), cfg(evA))
	require.NoError(t, err)
	defer sA.Close()
	dB := Dialer{InitMsg: peerInitMsg}
	sB, err := dB.Supervise(context.Background(), "sctp", hostPortList(healthy.port, "127.0.0.1"), cfg(evB))
	require.NoError(t, err)
	defer sB.Close()
	evA.wait(t, SupervisorUp, 5*time.Second)
	evB.wait(t, SupervisorUp, 5*time.Second)
	wedged.accept(t, 5*time.Second) // never read
	healthyConn := healthy.accept(t, 5*time.Second)

	// The healthy peer records when each message arrives.
	var mu sync.Mutex
	var arrivals []time.Time
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		buf := make([]byte, 4096)
		for {
			if _, _, err := healthyConn.ReadMsg(buf); err != nil {
				return
			}
			mu.Lock()
			arrivals = append(arrivals, time.Now())
			mu.Unlock()
		}
	}()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	stopSenders := sync.OnceFunc(func() { close(stop); wg.Wait() })
	defer stopSenders()
	var maxSendA atomic.Int64
	var fullA atomic.Int64
	wg.Go(func() { // floods the wedged association
		msg := make([]byte, 2048)
		for {
			select {
			case <-stop:
				return
			default:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			start := time.Now()
			err := sA.Send(ctx, msg, nil)
			cancel()
			if d := int64(time.Since(start)); d > maxSendA.Load() {
				maxSendA.Store(d)
			}
			if errors.Is(err, context.DeadlineExceeded) {
				fullA.Add(1)
			}
		}
	})
	var sentB atomic.Int64
	wg.Go(func() { // a steady trickle on the healthy one
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			if sB.Send(ctx, fmt.Appendf(nil, "b%d", i), nil) == nil {
				sentB.Add(1)
			}
			cancel()
		}
	})
	start := time.Now()

	stalled := evA.wait(t, SupervisorStalled, 10*time.Second)
	detected := time.Since(start)
	var se *StallError
	require.ErrorAs(t, stalled.Err, &se)
	t.Logf("stall detected %v after the flood began: %v", detected, se)
	require.Equal(t, StallWindowClosed, se.Reason)
	require.Zero(t, se.PeerRWND)
	sample := stallSample(stallTimeout)
	require.GreaterOrEqual(t, se.For, stallTimeout)
	// TestStallTrackerBound pins the rule (StallTimeout plus at most one
	// sample) on a fixed clock; here samples can come late on a shared,
	// emulated machine (seen: 1.2 s), so only gross errors fail.
	require.Less(t, se.For, stallTimeout+sample+2*time.Second, "detected within StallTimeout plus a sample")
	require.Less(t, detected, stallTimeout+3*time.Second, "the window closes within moments of the flood")

	down := evA.wait(t, SupervisorDown, 5*time.Second)
	require.ErrorAs(t, down.Err, &se)
	evA.wait(t, SupervisorUp, 5*time.Second) // redialed
	// The new association wedges too: the queue fills, and Send calls
	// time out on their context.
	require.Eventually(t, func() bool { return fullA.Load() > 0 }, 10*time.Second, 10*time.Millisecond, "the wedged association's queue never filled")
	stopSenders()

	// Slack for scheduling on a shared, emulated machine (seen: 0.4 s).
	require.Less(t, time.Duration(maxSendA.Load()), 50*time.Millisecond+time.Second, "Send never blocks beyond its context")
	t.Logf("longest Send to the wedged association: %v (context: 50 ms)", time.Duration(maxSendA.Load()))
	require.Equal(t, uint64(1), sA.Stats().Stalls)

	// The healthy association never went down and never paused.
	for _, ev := range evB.all() {
		require.NotEqual(t, SupervisorDown, ev.State, "healthy association: %+v", ev)
	}
	require.Zero(t, sB.Stats().Stalls)
	mu.Lock()
	var gap time.Duration
	n := 0
	for i := 1; i < len(arrivals); i++ {
		if arrivals[i].Before(start) || arrivals[i].After(start.Add(detected)) {
			continue
		}
		n++
		gap = max(gap, arrivals[i].Sub(arrivals[i-1]))
	}
	mu.Unlock()
	t.Logf("healthy association: %d messages during the stall, longest gap %v", n, gap)
	require.Greater(t, n, 10, "at least one message per 100 ms")
	// Blocked behind the wedged one, it would pause for the whole stall.
	require.Less(t, gap, stallTimeout*3/4)
	require.NoError(t, sB.Close())
	<-readDone
}

// TestSupervisorHeartbeat: an application heartbeat that fails counts as
// a stall: the association is aborted and redialed.
func TestSupervisorHeartbeat(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	peer := startSupPeer(t, ListenConfig{}, "127.0.0.1:0")
	evs := newEventLog()
	var calls atomic.Int32
	errNoAnswer := errors.New("no BEAT Ack")
	d := Dialer{InitMsg: peerInitMsg}
	s, err := d.Supervise(context.Background(), "sctp", hostPortList(peer.port, "127.0.0.1"), &SupervisorConfig{
		Backoff:           Backoff{Initial: 50 * time.Millisecond},
		HeartbeatInterval: 50 * time.Millisecond,
		Heartbeat: func(ctx context.Context, c *Conn) error {
			if calls.Add(1) == 3 {
				return errNoAnswer
			}
			_, err := c.Write([]byte("BEAT"))
			return err
		},
		OnEvent: evs.on,
	})
	require.NoError(t, err)
	defer s.Close()
	evs.wait(t, SupervisorUp, 5*time.Second)
	a := peer.accept(t, 5*time.Second)
	got, _ := readMsgWithin(t, a, 5*time.Second)
	require.Equal(t, "BEAT", got)
	ev := evs.wait(t, SupervisorStalled, 5*time.Second)
	var se *StallError
	require.ErrorAs(t, ev.Err, &se)
	require.Equal(t, StallHeartbeat, se.Reason)
	require.ErrorIs(t, ev.Err, errNoAnswer)
	evs.wait(t, SupervisorUp, 5*time.Second)
	peer.accept(t, 5*time.Second)
	require.Equal(t, uint64(1), s.Stats().Stalls)
}

// TestSupervisorShutdownDelivers: 1 MiB queued in the Supervisor (the
// peer reads slowly and the send buffer is small), then Shutdown: it
// returns nil only when the peer has it all, byte for byte.
func TestSupervisorShutdownDelivers(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	// The kernel's receive buffer, whatever rmem_max allows: most of the
	// 1 MiB must still be queued when Shutdown starts.
	peer := startSupPeer(t, ListenConfig{ReadBuffer: -1}, "127.0.0.1:0")
	d := Dialer{InitMsg: peerInitMsg, Control: bufferControl(0, 32<<10)}
	s, err := d.Supervise(context.Background(), "sctp", hostPortList(peer.port, "127.0.0.1"),
		&SupervisorConfig{MaxQueuedBytes: 2 << 20})
	require.NoError(t, err)
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = s.WaitConn(ctx)
	require.NoError(t, err)
	a := peer.accept(t, 5*time.Second)

	msgs, want := shutdownPayload(t)
	for i, m := range msgs {
		require.NoError(t, s.Send(ctx, m, &MsgInfo{Stream: 1, PPID: uint32(i)}))
	}
	// One stream: SCTP orders messages within a stream only, and the peer
	// hashes the byte stream.
	// The peer starts reading (slowly) only now: most of the MiB is still
	// in the Supervisor's queue, the rest in the kernel's buffers.
	queued := s.Stats().QueuedBytes
	h, _, done := slowReader(a, 5*time.Millisecond)
	t.Logf("queued in the Supervisor at Shutdown: %d bytes", queued)
	require.Greater(t, queued, 512<<10, "the test needs data queued when Shutdown starts")
	start := time.Now()
	require.NoError(t, s.Shutdown(ctx))
	t.Logf("Shutdown took %v", time.Since(start))
	require.NoError(t, <-done)
	require.Equal(t, want, h.Sum(nil))
	st := s.Stats()
	require.Equal(t, uint64(1<<20), st.SentBytes)
	require.Equal(t, SupervisorClosed, st.State)
	require.ErrorIs(t, s.Send(ctx, []byte("late"), nil), net.ErrClosed)
}

// TestSupervisorShutdownContextAborts: a peer that never reads cannot
// take what is queued; Shutdown returns when its context ends, and the
// association is aborted (the peer sees ECONNRESET), not left to linger.
func TestSupervisorShutdownContextAborts(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	peer := startSupPeer(t, ListenConfig{Control: bufferControl(4096, 0)}, "127.0.0.1:0")
	d := Dialer{InitMsg: peerInitMsg, Control: bufferControl(0, 8192)}
	s, err := d.Supervise(context.Background(), "sctp", hostPortList(peer.port, "127.0.0.1"), &SupervisorConfig{StallTimeout: -1})
	require.NoError(t, err)
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = s.WaitConn(ctx)
	require.NoError(t, err)
	a := peer.accept(t, 5*time.Second)
	for range 100 {
		require.NoError(t, s.Send(ctx, make([]byte, 4096), nil))
	}
	sctx, scancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer scancel()
	start := time.Now()
	require.ErrorIs(t, s.Shutdown(sctx), context.DeadlineExceeded)
	require.Less(t, time.Since(start), 2*time.Second)
	require.ErrorIs(t, s.Shutdown(ctx), net.ErrClosed)
	require.ErrorIs(t, s.Close(), net.ErrClosed)
	require.Positive(t, s.Stats().Dropped, "what was still queued is dropped and counted")

	require.NoError(t, a.SetReadDeadline(time.Now().Add(5*time.Second)))
	buf := make([]byte, 64<<10)
	for {
		if _, err = a.Read(buf); err != nil {
			break
		}
	}
	require.ErrorIs(t, err, syscall.ECONNRESET)
}

// TestSupervisorContextEnds: the Supervisor's context ending closes it.
func TestSupervisorContextEnds(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	peer := startSupPeer(t, ListenConfig{}, "127.0.0.1:0")
	evs := newEventLog()
	ctx, cancel := context.WithCancel(context.Background())
	d := Dialer{InitMsg: peerInitMsg}
	s, err := d.Supervise(ctx, "sctp", hostPortList(peer.port, "127.0.0.1"), &SupervisorConfig{OnEvent: evs.on})
	require.NoError(t, err)
	evs.wait(t, SupervisorUp, 5*time.Second)
	cancel()
	evs.wait(t, SupervisorClosed, 5*time.Second)
	_, err = s.WaitConn(context.Background())
	var nce *NotConnectedError
	require.ErrorAs(t, err, &nce)
	require.Equal(t, SupervisorClosed, nce.State)
	require.ErrorIs(t, s.Send(context.Background(), []byte("x"), nil), net.ErrClosed)
	require.NoError(t, s.Close(), "the first Close after the context ended")
}
