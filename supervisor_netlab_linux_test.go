package sctpdial

import (
	"context"
	"errors"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/sctpdial/sctpdial/internal/netlab"
	"github.com/stretchr/testify/require"
)

// TestSupervisorAllPathsCut: both paths of a two-path association are
// cut. With RTO.Max 200 ms, 100 ms heartbeats and an association
// retransmission limit of 4, the kernel declares the association lost
// (COMM_LOST) within (4+1) × (100 ms + 1.5 × 200 ms) = 2 s; the Supervisor
// then redials with backoff (each attempt timing out unanswered) and
// connects again once the paths are restored.
func TestSupervisorAllPathsCut(t *testing.T) {
	requireGuest(t)
	checkNoLeaks(t)
	lab := netlab.Start(t, netlab.IPv4)
	require.NoError(t, lab.Client.Sysctl("net.sctp.association_max_retrans", "4"))
	d := Dialer{
		InitMsg:    peerInitMsg,
		RTO:        RTOInfo{Initial: 100 * time.Millisecond, Min: 50 * time.Millisecond, Max: 200 * time.Millisecond},
		PathParams: PathParams{PathMaxRetrans: 1, HeartbeatInterval: 100 * time.Millisecond},
	}
	s, peer, evs := labSupervisor(t, lab, d, SupervisorConfig{
		Backoff:        Backoff{Initial: 100 * time.Millisecond, Max: 300 * time.Millisecond},
		ConnectTimeout: 500 * time.Millisecond,
	})
	up := evs.wait(t, SupervisorUp, 10*time.Second)
	require.Len(t, up.Remote.IPAddrs, 2, "both paths are in the association")
	peer.accept(t, 5*time.Second)

	require.NoError(t, lab.Cut(0))
	require.NoError(t, lab.Cut(1))
	cut := time.Now()
	// Keep data outstanding, as a real application would.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, s.Send(ctx, []byte("into the void"), nil))

	down := evs.wait(t, SupervisorDown, 10*time.Second)
	detected := time.Since(cut)
	t.Logf("association lost %v after both paths were cut: %v", detected, down.Err)
	var de *DownError
	require.ErrorAs(t, down.Err, &de)
	ac, isChange := de.Notification.(AssocChange)
	require.True(t, errors.Is(de, syscall.ETIMEDOUT) || (isChange && ac.State == CommLost), "%v", de)
	require.Less(t, detected, 2*time.Second+500*time.Millisecond, "within the computed bound")

	// Attempts while cut time out unanswered.
	failed := evs.wait(t, SupervisorDown, 5*time.Second)
	require.Error(t, failed.Err)
	t.Logf("attempt while cut: %v", failed.Err)

	require.NoError(t, lab.Restore(0))
	require.NoError(t, lab.Restore(1))
	restored := time.Now()
	evs.wait(t, SupervisorUp, 5*time.Second)
	t.Logf("reconnected %v after the paths were restored", time.Since(restored))
	require.Less(t, time.Since(restored), 300*time.Millisecond*12/10+500*time.Millisecond+time.Second,
		"within the longest backoff wait plus one connect timeout")
	peer.accept(t, 5*time.Second)
	require.Equal(t, uint64(1), s.Stats().Reconnects)
}

// labSupervisor starts a listener in the lab's server namespace and a
// Supervisor dialing it from the client namespace with d and cfg.
func labSupervisor(t *testing.T, lab *netlab.Lab, d Dialer, cfg SupervisorConfig) (*Supervisor, *supPeer, *eventLog) {
	t.Helper()
	srv := lab.ServerAddrs()
	peer := startSupPeerIn(t, lab.Server.Do, ListenConfig{}, srv[0].String()+","+srv[1].String()+":0")
	addr := srv[0].String() + "," + srv[1].String() + ":" + strconv.Itoa(peer.port)
	evs := newEventLog()
	cfg.OnEvent = evs.on
	cfg.Dial = func(ctx context.Context, network, address string) (c *Conn, err error) {
		derr := lab.Client.Do(func() error {
			c, err = d.DialSCTP(ctx, network, address)
			return nil
		})
		return c, errors.Join(derr, err)
	}
	s, err := d.Supervise(context.Background(), "sctp", addr, &cfg)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s, peer, evs
}

// TestSupervisorBlackholeStall: with the kernel's default timers a
// blackholed peer takes minutes to end in COMM_LOST (RTO.Min 1 s doubling
// to 60 s, 10 retransmissions), but its data stops being acknowledged at
// once: the stall rule (unacknowledged data not shrinking, window open)
// aborts it after StallTimeout, and the Supervisor reconnects once the
// paths come back.
func TestSupervisorBlackholeStall(t *testing.T) {
	requireGuest(t)
	checkNoLeaks(t)
	lab := netlab.Start(t, netlab.IPv4)
	const stallTimeout = time.Second
	s, peer, evs := labSupervisor(t, lab, Dialer{InitMsg: peerInitMsg}, SupervisorConfig{
		StallTimeout:   stallTimeout,
		Backoff:        Backoff{Initial: 100 * time.Millisecond, Max: 300 * time.Millisecond},
		ConnectTimeout: 500 * time.Millisecond,
	})
	evs.wait(t, SupervisorUp, 10*time.Second)
	peer.accept(t, 5*time.Second)

	require.NoError(t, lab.Cut(0))
	require.NoError(t, lab.Cut(1))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range 3 {
		require.NoError(t, s.Send(ctx, []byte("unanswered"), nil))
	}
	sent := time.Now()
	ev := evs.wait(t, SupervisorStalled, 10*time.Second)
	detected := time.Since(sent)
	var se *StallError
	require.ErrorAs(t, ev.Err, &se)
	t.Logf("stall detected %v after the last Send: %v", detected, se)
	require.Equal(t, StallNoProgress, se.Reason)
	require.Positive(t, se.Unacked)
	require.Positive(t, se.PeerRWND)
	require.Less(t, detected, stallTimeout+2*stallSample(stallTimeout)+time.Second)

	require.NoError(t, lab.Restore(0))
	require.NoError(t, lab.Restore(1))
	evs.wait(t, SupervisorUp, 10*time.Second)
	peer.accept(t, 5*time.Second)
	require.Equal(t, uint64(1), s.Stats().Stalls)
}
