package sctpdial

import (
	"context"
	"errors"
	"net"
	"syscall"
	"time"
)

// errSupervisorClosed is what Send and Shutdown report once the
// Supervisor is closed; errors.Is(err, net.ErrClosed) holds.
var errSupervisorClosed = &net.OpError{Op: "send", Net: "sctp", Err: net.ErrClosed}

// Supervise starts a Supervisor that keeps one association to address up
// (the address syntax of DialContext, "host1,host2:port") until ctx ends
// or Close is called. It returns at once, with an error only for a network
// or address that can never be dialed; WaitConn waits for the first
// association. The Dialer is copied: changing it later has no effect. A
// nil cfg means the zero SupervisorConfig.
//
// Each attempt is one DialContext, so host names are resolved again every
// time. After a failed dial, or an association that ends before
// cfg.Backoff.StableAfter, the next attempt waits as cfg.Backoff says;
// after a stable association it starts at once.
func (d *Dialer) Supervise(ctx context.Context, network, address string, cfg *SupervisorConfig) (*Supervisor, error) {
	if ctx == nil {
		panic("nil context")
	}
	sctpNet, ok := sctpNetwork(network, d.OverrideTCP)
	if !ok {
		return nil, &net.OpError{Op: "dial", Net: network, Err: net.UnknownNetworkError(network)}
	}
	if _, err := parseMultiAddr(sctpNet, address); err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	var c SupervisorConfig
	if cfg != nil {
		c = *cfg
	}
	s := &Supervisor{
		d:       *d,
		network: network,
		address: address,
		cfg:     c.withDefaults(d),
		done:    make(chan struct{}),
		drain:   make(chan drainRequest),
		changed: make(chan struct{}),
	}
	s.q = newSendQueue(s.cfg.MaxQueuedBytes, s.cfg.MaxQueuedMessages)
	s.ctx, s.cancel = context.WithCancel(ctx)
	go s.run()
	return s, nil
}

// Conn returns the current association, or a *NotConnectedError saying
// when the next attempt starts. The Conn may end at any moment after; the
// Supervisor then makes a new one, and Conn never returns an association
// it knows has ended. Reading from it competes with the Supervisor's read
// loop: use SupervisorConfig.Handler for incoming messages.
func (s *Supervisor) Conn() (*Conn, error) {
	if !s.ok() {
		return nil, syscall.EINVAL
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		return s.conn, nil
	}
	return nil, s.notConnected()
}

// ok reports whether s came from Dialer.Supervise: the methods of a nil or
// zero Supervisor fail with EINVAL (Stats reports it closed).
func (s *Supervisor) ok() bool { return s != nil && s.q != nil }

// notConnected is the error for the current state; the caller holds mu.
func (s *Supervisor) notConnected() error {
	return &NotConnectedError{State: s.state, NextAttempt: s.next, Err: s.lastErr}
}

// WaitConn waits until an association is up and returns it, or until ctx
// ends (a *NotConnectedError wrapping the last failure, and matching
// ctx's error with errors.Is) or the Supervisor stops for good
// (SupervisorGaveUp, SupervisorClosed).
func (s *Supervisor) WaitConn(ctx context.Context) (*Conn, error) {
	if !s.ok() {
		return nil, syscall.EINVAL
	}
	for {
		s.mu.Lock()
		c, state, ch := s.conn, s.state, s.changed
		err := s.notConnected()
		s.mu.Unlock()
		if c != nil {
			return c, nil
		}
		if state == SupervisorGaveUp || state == SupervisorClosed {
			return nil, err
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, &ctxNotConnected{NotConnectedError: err.(*NotConnectedError), ctx: ctx.Err()}
		}
	}
}

// ctxNotConnected is a NotConnectedError that also matches the context
// error that ended the wait.
type ctxNotConnected struct {
	*NotConnectedError
	ctx error
}

// Is matches the context error.
func (e *ctxNotConnected) Is(target error) bool { return errors.Is(e.ctx, target) }

// As lets errors.As find the *NotConnectedError.
func (e *ctxNotConnected) As(target any) bool {
	if p, ok := target.(**NotConnectedError); ok {
		*p = e.NotConnectedError
		return true
	}
	return false
}

// Send queues b (copied) for the association, with info's stream, PPID
// and flags (nil: stream 0, PPID 0). It returns once b is queued, not
// when it is sent: messages queued while no association is up are written
// on the next one, in order. When the queue is full (MaxQueuedBytes,
// MaxQueuedMessages) Send waits for room until ctx ends, then fails with
// ctx's error; it never blocks beyond ctx, and a full queue of one
// Supervisor never blocks another. A message larger than MaxQueuedBytes
// fails at once with an error matching syscall.EMSGSIZE. After Close or
// Shutdown it fails with an error matching net.ErrClosed; after giving up,
// with a *NotConnectedError.
func (s *Supervisor) Send(ctx context.Context, b []byte, info *MsgInfo) error {
	if !s.ok() {
		return syscall.EINVAL
	}
	return s.q.push(ctx, b, info)
}

// Stats returns the Supervisor's counters.
func (s *Supervisor) Stats() SupervisorStats {
	if !s.ok() {
		return SupervisorStats{State: SupervisorClosed}
	}
	s.mu.Lock()
	state := s.state
	s.mu.Unlock()
	msgs, bytes := s.q.len()
	c := &s.stats
	return SupervisorStats{
		State: state, Dials: c.dials.Load(), DialFailures: c.dialFailures.Load(),
		Reconnects: c.reconnects.Load(), Stalls: c.stalls.Load(),
		SentMessages: c.sentMsgs.Load(), SentBytes: c.sentBytes.Load(),
		ReceivedMessages: c.recvMsgs.Load(), ReceivedBytes: c.recvBytes.Load(),
		Dropped: c.dropped.Load(), QueuedMessages: msgs, QueuedBytes: bytes,
	}
}

// Close stops the Supervisor at once: it drops what Send queued, closes
// the current association (Conn.Close: the kernel still sends what it
// holds, then SHUTDOWN) and waits for its goroutines to end. It returns
// an error matching net.ErrClosed when Close or Shutdown was called before.
func (s *Supervisor) Close() error {
	if !s.ok() {
		return syscall.EINVAL
	}
	closed := s.closed.Swap(true)
	s.stop(errSupervisorClosed)
	if closed {
		return errSupervisorClosed
	}
	return nil
}

// stop ends the run loop and drops the queue with err.
func (s *Supervisor) stop(err error) {
	s.cancel()
	<-s.done
	if n, _ := s.q.close(err); n > 0 {
		s.stats.dropped.Add(uint64(n))
	}
}

// Shutdown stops the Supervisor gracefully: Send fails from now on, what
// is queued is written (on the current association, or the next one if
// none is up), the association is shut down with Conn.Shutdown, and
// Shutdown returns nil once the peer has acknowledged every message. When
// ctx ends first it aborts the association and returns ctx's error; if
// the association that took the last messages ended before the drain (so
// SCTP cannot say whether they arrived), it returns a *NotConnectedError.
// Either way the Supervisor is closed when Shutdown returns; a second
// Shutdown or Close returns an error matching net.ErrClosed.
func (s *Supervisor) Shutdown(ctx context.Context) error {
	if !s.ok() {
		return syscall.EINVAL
	}
	if s.closed.Swap(true) {
		return errSupervisorClosed
	}
	s.q.seal(errSupervisorClosed)
	if err := s.q.waitEmpty(ctx); err != nil {
		s.abortOnStop.Store(true)
		s.stop(errSupervisorClosed)
		return err
	}
	req := drainRequest{ctx: ctx, result: make(chan error, 1)}
	var err error
	select {
	case s.drain <- req:
		err = <-req.result
	case <-s.done:
		err = errSupervisorClosed
	case <-ctx.Done():
		s.abortOnStop.Store(true)
		err = ctx.Err()
	}
	s.stop(errSupervisorClosed)
	return err
}

// setState records a state change and reports it; Up passes the new
// association and its event.
func (s *Supervisor) setState(ev SupervisorEvent, c *Conn) {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	s.mu.Lock()
	if ev.State != SupervisorStalled {
		s.state = ev.State
	}
	s.conn = c
	s.next = ev.NextAttempt
	if ev.Err != nil {
		s.lastErr = ev.Err
	}
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
	if s.cfg.OnEvent != nil {
		s.cfg.OnEvent(ev)
	}
}
