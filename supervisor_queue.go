package sctpdial

import (
	"context"
	"fmt"
	"sync"
	"syscall"
)

// sendQueue is the bounded queue between Supervisor.Send and the writer
// of the current association. A message counts against the bounds from
// the moment it is queued until the kernel has taken it (WriteMsg
// returned), so the bounds cap what one Supervisor holds in user space.
// It outlives associations: what the writer of a lost association did not
// hand to the kernel is written on the next one.
type sendQueue struct {
	maxBytes, maxMsgs int

	mu      sync.Mutex
	msgs    []queuedMsg // FIFO; msgs[0] is being written while writing
	bytes   int
	writing bool          // a writer holds msgs[0]
	err     error         // non-nil: no more pushes (sealed or closed)
	closed  bool          // nothing more is written; msgs dropped
	changed chan struct{} // closed and replaced on every change
}

type queuedMsg struct {
	b       []byte
	info    MsgInfo
	hasInfo bool
}

func newSendQueue(maxBytes, maxMsgs int) *sendQueue {
	return &sendQueue{maxBytes: maxBytes, maxMsgs: maxMsgs, changed: make(chan struct{})}
}

// signal wakes every waiter; the caller holds mu.
func (q *sendQueue) signal() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// push queues a copy of b, waiting for room until ctx ends. It fails at
// once with q's error once the queue is sealed or closed, and with
// EMSGSIZE for a message that could never fit. An empty b queues nothing:
// SCTP has no empty messages.
func (q *sendQueue) push(ctx context.Context, b []byte, info *MsgInfo) error {
	if len(b) > q.maxBytes {
		return fmt.Errorf("sctpdial: a %d-byte message exceeds the send queue's bound of %d bytes: %w", len(b), q.maxBytes, syscall.EMSGSIZE)
	}
	if len(b) == 0 {
		return q.state()
	}
	m := queuedMsg{b: append([]byte(nil), b...)}
	if info != nil {
		m.info, m.hasInfo = *info, true
	}
	for {
		q.mu.Lock()
		if q.err != nil {
			err := q.err
			q.mu.Unlock()
			return err
		}
		if len(q.msgs) < q.maxMsgs && q.bytes+len(b) <= q.maxBytes {
			q.msgs = append(q.msgs, m)
			q.bytes += len(b)
			q.signal()
			q.mu.Unlock()
			return nil
		}
		ch := q.changed
		q.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// state is q's error: nil while it takes messages.
func (q *sendQueue) state() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.err
}

// next returns the head message for a writer, waiting until there is
// one; false once the queue is closed or done is. The writer then calls
// release (the kernel took it) or requeue (it did not).
func (q *sendQueue) next(done <-chan struct{}) (queuedMsg, bool) {
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return queuedMsg{}, false
		}
		if len(q.msgs) > 0 && !q.writing {
			q.writing = true
			m := q.msgs[0]
			q.mu.Unlock()
			return m, true
		}
		ch := q.changed
		q.mu.Unlock()
		select {
		case <-ch:
		case <-done:
			return queuedMsg{}, false
		}
	}
}

// release removes the head message once the kernel has taken it.
func (q *sendQueue) release() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.writing = false
	if q.closed || len(q.msgs) == 0 {
		q.signal()
		return
	}
	q.bytes -= len(q.msgs[0].b)
	q.msgs[0] = queuedMsg{}
	q.msgs = q.msgs[1:]
	q.signal()
}

// requeue gives the head message back after a failed write: it stays
// first, for the next association's writer.
func (q *sendQueue) requeue() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.writing = false
	q.signal()
}

// seal refuses further pushes with err; what is queued is still written.
func (q *sendQueue) seal(err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.err == nil {
		q.err = err
	}
	q.signal()
}

// close refuses further pushes with err and drops what is queued,
// returning the number of messages and bytes dropped (the one being
// written, if any, is not counted: the kernel may take it).
func (q *sendQueue) close(err error) (msgs, bytes int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return 0, 0
	}
	if q.err == nil {
		q.err = err
	}
	q.closed = true
	msgs, bytes = len(q.msgs), q.bytes
	if q.writing && msgs > 0 {
		msgs, bytes = msgs-1, bytes-len(q.msgs[0].b)
	}
	q.msgs, q.bytes = nil, 0
	q.signal()
	return msgs, bytes
}

// waitEmpty waits until the kernel has taken every queued message (nil),
// the queue is closed (its error) or ctx ends (ctx's error).
func (q *sendQueue) waitEmpty(ctx context.Context) error {
	for {
		q.mu.Lock()
		empty, closed, err := len(q.msgs) == 0 && !q.writing, q.closed, q.err
		ch := q.changed
		q.mu.Unlock()
		if closed {
			return err
		}
		if empty {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// len returns the number of messages and bytes queued.
func (q *sendQueue) len() (msgs, bytes int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.msgs), q.bytes
}
