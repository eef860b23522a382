package sctpdial

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/ishidawataru/sctp"
)

// run is the Supervisor's goroutine: dial, serve the association until it
// ends, wait as the backoff says, again.
func (s *Supervisor) run() {
	defer close(s.done)
	failures := 0 // consecutive: failed dials and short-lived associations
	for {
		if s.ctx.Err() != nil {
			s.finish(SupervisorClosed, errSupervisorClosed)
			return
		}
		s.setState(SupervisorEvent{State: SupervisorConnecting, Attempt: failures + 1}, nil)
		c, err := s.dial()
		var wait time.Duration
		var cause error
		if err != nil {
			if s.ctx.Err() != nil {
				s.finish(SupervisorClosed, errSupervisorClosed)
				return
			}
			failures++
			cause = err
			if errors.Is(err, errors.ErrUnsupported) {
				// No SCTP here (off Linux): no attempt can ever succeed.
				s.finish(SupervisorGaveUp, cause)
				return
			}
		} else {
			up := time.Now()
			var drained bool
			cause, drained = s.serve(c, up)
			if drained || s.ctx.Err() != nil {
				s.finish(SupervisorClosed, errSupervisorClosed)
				return
			}
			if time.Since(up) >= s.cfg.Backoff.StableAfter {
				failures = 0
			} else {
				failures++
			}
		}
		if s.cfg.MaxAttempts > 0 && failures >= s.cfg.MaxAttempts {
			s.finish(SupervisorGaveUp, cause)
			return
		}
		if failures > 0 {
			wait = s.cfg.Backoff.next(failures)
		}
		now := time.Now()
		s.setState(SupervisorEvent{Time: now, State: SupervisorDown, Attempt: failures, Err: cause, NextAttempt: now.Add(wait)}, nil)
		if !s.sleep(wait) {
			s.finish(SupervisorClosed, errSupervisorClosed)
			return
		}
	}
}

// finish enters a final state and fails what is queued with its error.
func (s *Supervisor) finish(state SupervisorState, err error) {
	ev := SupervisorEvent{State: state}
	qerr := err
	if state == SupervisorGaveUp {
		ev.Err = err
		qerr = &NotConnectedError{State: state, Err: err}
	}
	// The queue first: once the event is out, Send must already fail.
	if n, _ := s.q.close(qerr); n > 0 {
		s.stats.dropped.Add(uint64(n))
	}
	s.setState(ev, nil)
}

// sleep waits d; false if the Supervisor stopped meanwhile. A Shutdown
// arriving while no association is up cannot drain anything: it learns
// whether the last messages went out on an association that is gone.
func (s *Supervisor) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			return true
		case <-s.ctx.Done():
			return false
		case req := <-s.drain:
			req.result <- s.drainResult(0, nil)
			return false
		}
	}
}

// drainResult is Shutdown's answer once association gen (0: none) has
// been shut down with err: a *NotConnectedError when the last message
// went out on an earlier association, which ended before the drain.
func (s *Supervisor) drainResult(gen uint64, err error) error {
	if last := s.lastWriteGen.Load(); last != 0 && last != gen {
		s.mu.Lock()
		defer s.mu.Unlock()
		return &NotConnectedError{State: s.state, Err: fmt.Errorf("sctpdial: the association that took the last messages ended before the drain: %w", s.lastErr)}
	}
	return err
}

// dial makes one attempt, bounded by ConnectTimeout, and runs Setup.
func (s *Supervisor) dial() (*Conn, error) {
	s.stats.dials.Add(1)
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.ConnectTimeout)
	defer cancel()
	dial := s.d.DialSCTP
	if s.cfg.Dial != nil {
		dial = s.cfg.Dial
	}
	c, err := dial(ctx, s.network, s.address)
	if err == nil && c == nil {
		err = &net.OpError{Op: "dial", Net: s.network, Err: errors.New("sctpdial: SupervisorConfig.Dial returned neither a Conn nor an error")}
	}
	if err == nil && s.cfg.Setup != nil {
		if err = s.cfg.Setup(c); err != nil {
			c.Close()
			c = nil
		}
	}
	if err != nil {
		s.stats.dialFailures.Add(1)
		return nil, err
	}
	return c, nil
}

// assocWatch is what the goroutines serving one association share.
type assocWatch struct {
	c    *Conn
	up   time.Time
	gen  uint64
	once sync.Once
	end  chan struct{} // closed by the first cause
	err  error         // the first cause, a *DownError

	stall *stallWatch // nil: stall detection off
}

// fail records the first reason the association ended.
func (w *assocWatch) fail(op string, n Notification, err error) {
	w.once.Do(func() {
		w.err = &DownError{Op: op, Notification: n, Err: err, Uptime: time.Since(w.up)}
		close(w.end)
	})
}

// serve runs an association until it ends: it hands it out, reads it,
// writes the queue to it, watches it for stalls, and closes it. It
// returns the cause, and true when it ended by a Shutdown's drain.
func (s *Supervisor) serve(c *Conn, up time.Time) (error, bool) {
	s.mu.Lock()
	s.gen++
	gen := s.gen
	s.mu.Unlock()
	w := &assocWatch{c: c, up: up, gen: gen, end: make(chan struct{})}
	if s.cfg.StallTimeout > 0 {
		w.stall = newStallWatch(s.cfg.StallTimeout)
	}
	events := EventAssocChange | EventShutdown
	if w.stall != nil {
		events |= EventSenderDry
	}
	if s.cfg.OnNotification != nil {
		events = EventAll
	}
	if err := c.SetNotificationHandler(events, func(n Notification) { s.notified(w, n) }); err != nil {
		c.Close()
		return &DownError{Op: "notification", Err: err}, false
	}
	if gen > 1 {
		s.stats.reconnects.Add(1)
	}
	ev := SupervisorEvent{State: SupervisorUp}
	ev.Local, _ = c.LocalAddr().(*sctp.SCTPAddr)
	ev.Remote, _ = c.RemoteAddr().(*sctp.SCTPAddr)
	if st, err := c.Status(); err == nil {
		ev.Primary = st.Primary.Addr
	}
	s.setState(ev, c)

	ctx, cancel := context.WithCancel(s.ctx)
	var wg sync.WaitGroup
	wg.Go(func() { s.readLoop(w) })
	wg.Go(func() { s.writeLoop(ctx, w) })
	if w.stall != nil {
		wg.Go(func() { s.watchStall(ctx, w) })
	}
	if s.cfg.Heartbeat != nil {
		wg.Go(func() { s.heartbeatLoop(ctx, w) })
	}

	var cause error
	drained := false
	select {
	case <-w.end:
		cause = w.err
	case <-s.ctx.Done():
	case req := <-s.drain:
		// Nothing is queued (Shutdown waited for that); the writer is idle.
		s.mu.Lock()
		s.conn = nil
		s.mu.Unlock()
		// Close ends the drain too.
		dctx, dcancel := context.WithCancel(req.ctx)
		stopAfter := context.AfterFunc(s.ctx, dcancel)
		err := c.Shutdown(dctx)
		stopAfter()
		dcancel()
		req.result <- s.drainResult(w.gen, err)
		drained = true
	}
	s.mu.Lock()
	s.conn = nil
	s.mu.Unlock()
	var stall *StallError
	if errors.As(cause, &stall) {
		s.stats.stalls.Add(1)
		s.setState(SupervisorEvent{State: SupervisorStalled, Err: stall}, nil)
		c.abort()
	} else if s.abortOnStop.Load() {
		c.abort()
	} else {
		c.Close()
	}
	cancel()
	wg.Wait()
	return cause, drained
}

// notified handles the notifications the Supervisor subscribed to; it
// runs in the read loop.
func (s *Supervisor) notified(w *assocWatch, n Notification) {
	if s.cfg.OnNotification != nil {
		s.cfg.OnNotification(w.c, n)
	}
	switch n := n.(type) {
	case AssocChange:
		switch n.State {
		case CommLost, Restart, ShutdownComp, CantStartAssoc:
			w.fail("notification", n, nil)
		}
	case Shutdown:
		w.fail("notification", n, nil)
	case SenderDry:
		if w.stall != nil {
			w.stall.dry()
		}
	}
}

// readLoop reads whole messages for the Handler until the association
// ends.
func (s *Supervisor) readLoop(w *assocWatch) {
	buf := make([]byte, min(64<<10, s.cfg.MaxMessageSize))
	var msg []byte
	for {
		n, info, err := w.c.ReadMsg(buf)
		if errors.Is(err, ErrPartialMessage) {
			if len(msg)+n > s.cfg.MaxMessageSize {
				w.fail("read", nil, fmt.Errorf("sctpdial: incoming message longer than MaxMessageSize (%d bytes): %w", s.cfg.MaxMessageSize, syscall.EMSGSIZE))
				return
			}
			msg = append(msg, buf[:n]...)
			continue
		}
		if err != nil {
			w.fail("read", nil, err)
			return
		}
		data := buf[:n]
		if len(msg) > 0 {
			msg = append(msg, data...)
			data = msg
		}
		s.stats.recvMsgs.Add(1)
		s.stats.recvBytes.Add(uint64(len(data)))
		if s.cfg.Handler != nil {
			s.cfg.Handler(data, info)
		}
		msg = msg[:0]
	}
}

// writeLoop writes the queue to the association. A message the kernel
// did not take stays first in the queue for the next association, unless
// the kernel rejects the message itself while the association lives (a
// stream it does not have): that one is dropped and counted.
func (s *Supervisor) writeLoop(ctx context.Context, w *assocWatch) {
	for {
		m, ok := s.q.next(ctx.Done())
		if !ok {
			return
		}
		if w.stall != nil {
			w.stall.writing(true)
		}
		var info *MsgInfo
		if m.hasInfo {
			info = &m.info
		}
		_, err := w.c.WriteMsg(m.b, info)
		if w.stall != nil {
			w.stall.writing(false)
		}
		if err != nil {
			if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.EMSGSIZE) {
				if _, serr := w.c.Status(); serr == nil {
					s.q.release()
					s.stats.dropped.Add(1)
					continue
				}
			}
			s.q.requeue()
			w.fail("write", nil, err)
			return
		}
		// Before release: a Shutdown waiting for the queue to empty then
		// knows which association took the last message.
		s.lastWriteGen.Store(w.gen)
		s.q.release()
		s.stats.sentMsgs.Add(1)
		s.stats.sentBytes.Add(uint64(len(m.b)))
		if w.stall != nil {
			w.stall.wroteMsg()
		}
	}
}
