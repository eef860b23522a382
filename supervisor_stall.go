package sctpdial

import (
	"context"
	"sync"
	"time"
)

// stallWatch collects the progress signals of one association besides
// its SCTP_STATUS samples: SENDER_DRY notifications and the writer's
// state.
type stallWatch struct {
	timeout, every time.Duration

	mu      sync.Mutex
	dried   bool // a SENDER_DRY arrived since the last sample
	wrote   bool // the kernel took a message since the last sample
	inWrite bool // the writer waits in WriteMsg (send buffer full)
}

func newStallWatch(timeout time.Duration) *stallWatch {
	return &stallWatch{timeout: timeout, every: stallSample(timeout)}
}

func (w *stallWatch) dry() {
	w.mu.Lock()
	w.dried = true
	w.mu.Unlock()
}

func (w *stallWatch) wroteMsg() {
	w.mu.Lock()
	w.wrote = true
	w.mu.Unlock()
}

func (w *stallWatch) writing(on bool) {
	w.mu.Lock()
	w.inWrite = on
	w.mu.Unlock()
}

// take returns and resets the signals since the last sample.
func (w *stallWatch) take() (dried, wrote, inWrite bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	dried, wrote, inWrite = w.dried, w.wrote, w.inWrite
	w.dried, w.wrote = false, false
	return dried, wrote, inWrite
}

// stallSampleState is one SCTP_STATUS sample with the signals since the
// previous one.
type stallSampleState struct {
	unacked               uint16
	rwnd                  uint32
	dried, wrote, inWrite bool
}

// progressed decides whether the association made progress between two
// samples (prev is the previous unacked count, -1 for none):
//   - nothing outstanding (no unacknowledged DATA, no write waiting for
//     send buffer): idle is never a stall;
//   - a SENDER_DRY: everything sent was acknowledged at some point;
//   - with the peer's window open, fewer chunks unacknowledged than at
//     the previous sample, or a message taken by the kernel (room in the
//     send buffer, freed by acknowledgements once it has filled).
//
// A peer window of 0 never counts as progress by itself: a peer whose
// application stopped reading keeps acknowledging window probes.
func progressed(prev int, s stallSampleState) bool {
	if s.unacked == 0 && !s.inWrite {
		return true
	}
	if s.dried {
		return true
	}
	return s.rwnd > 0 && (int(s.unacked) < prev || s.wrote)
}

// stallTracker applies progressed to a series of samples.
type stallTracker struct {
	timeout time.Duration
	last    time.Time // the last sample that showed progress (or the start)
	prev    int       // unacked chunks at the previous sample; -1: none yet
}

func newStallTracker(timeout time.Duration, start time.Time) *stallTracker {
	return &stallTracker{timeout: timeout, last: start, prev: -1}
}

// observe takes the sample taken at now and reports, once the
// association has gone timeout without progress, for how long.
func (t *stallTracker) observe(now time.Time, s stallSampleState) (time.Duration, bool) {
	defer func() { t.prev = int(s.unacked) }()
	if progressed(t.prev, s) {
		t.last = now
		return 0, false
	}
	if d := now.Sub(t.last); d >= t.timeout {
		return d, true
	}
	return 0, false
}

// watchStall samples the association every w.stall.every and ends it
// with a *StallError after StallTimeout without progress.
func (s *Supervisor) watchStall(ctx context.Context, w *assocWatch) {
	sw := w.stall
	t := time.NewTicker(sw.every)
	defer t.Stop()
	tr := newStallTracker(sw.timeout, time.Now())
	for {
		var now time.Time
		select {
		case <-ctx.Done():
			return
		case <-w.end:
			return
		case now = <-t.C:
		}
		st, err := w.c.Status()
		if err != nil {
			// The association is gone; the read loop usually has the
			// better reason (the ABORT's ECONNRESET) a moment later.
			select {
			case <-w.end:
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
				w.fail("status", nil, err)
			}
			return
		}
		dried, wrote, inWrite := sw.take()
		sample := stallSampleState{unacked: st.Unacked, rwnd: st.PeerRWND, dried: dried, wrote: wrote, inWrite: inWrite}
		if stalled, ok := tr.observe(now, sample); ok {
			queued, _ := s.q.len()
			reason := StallNoProgress
			if st.PeerRWND == 0 {
				reason = StallWindowClosed
			}
			w.fail("stall", nil, &StallError{Reason: reason, For: stalled, Unacked: st.Unacked, PeerRWND: st.PeerRWND, Queued: queued})
			return
		}
	}
}

// heartbeatLoop runs SupervisorConfig.Heartbeat every HeartbeatInterval;
// its failure ends the association as a stall.
func (s *Supervisor) heartbeatLoop(ctx context.Context, w *assocWatch) {
	t := time.NewTicker(s.cfg.HeartbeatInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.end:
			return
		case <-t.C:
		}
		hctx, cancel := context.WithTimeout(ctx, s.cfg.HeartbeatTimeout)
		err := s.cfg.Heartbeat(hctx, w.c)
		cancel()
		if err != nil && ctx.Err() == nil {
			w.fail("stall", nil, &StallError{Reason: StallHeartbeat, Err: err})
			return
		}
	}
}
