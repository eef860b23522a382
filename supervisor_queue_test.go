package sctpdial

import (
	"context"
	"errors"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSendQueueBounds(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name              string
		maxBytes, maxMsgs int
		sizes             []int // pushed in order; the last one must wait
	}{
		{"message bound", 1000, 3, []int{1, 1, 1, 1}},
		{"byte bound", 10, 100, []int{4, 4, 3}},
		{"exactly full", 8, 2, []int{4, 4, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := newSendQueue(tc.maxBytes, tc.maxMsgs)
			total := 0
			for _, n := range tc.sizes[:len(tc.sizes)-1] {
				require.NoError(t, q.push(ctx, make([]byte, n), nil))
				total += n
			}
			msgs, bytes := q.len()
			require.Equal(t, len(tc.sizes)-1, msgs)
			require.Equal(t, total, bytes)

			short, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
			defer cancel()
			err := q.push(short, make([]byte, tc.sizes[len(tc.sizes)-1]), nil)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			// It waited for the context: no clock reading, as the pure
			// tests also run under qemu-user, whose clocks drift.
			require.ErrorIs(t, short.Err(), context.DeadlineExceeded, "push returned before its context ended")

			// Room appears when the writer releases the head.
			done := make(chan error, 1)
			go func() { done <- q.push(ctx, make([]byte, tc.sizes[len(tc.sizes)-1]), nil) }()
			m, ok := q.next(nil)
			require.True(t, ok)
			require.Len(t, m.b, tc.sizes[0])
			select {
			case err := <-done:
				t.Fatalf("push returned %v while the head was only being written", err)
			case <-time.After(20 * time.Millisecond):
			}
			q.release()
			require.NoError(t, <-done)
		})
	}
}

func TestSendQueueBadInput(t *testing.T) {
	q := newSendQueue(10, 10)
	err := q.push(context.Background(), make([]byte, 11), nil)
	require.ErrorIs(t, err, syscall.EMSGSIZE, "a message larger than the byte bound can never fit: fail at once")
	require.NoError(t, q.push(context.Background(), nil, nil), "an empty message queues nothing")
	msgs, _ := q.len()
	require.Zero(t, msgs)
}

// TestSendQueueOrderAndCopy: FIFO, the queue keeps its own copy of each
// message, and a requeued head is written again first.
func TestSendQueueOrderAndCopy(t *testing.T) {
	q := newSendQueue(100, 10)
	b := []byte("one")
	require.NoError(t, q.push(context.Background(), b, &MsgInfo{Stream: 1, PPID: 46}))
	b[0] = 'X'
	require.NoError(t, q.push(context.Background(), []byte("two"), nil))

	m, ok := q.next(nil)
	require.True(t, ok)
	require.Equal(t, "one", string(m.b))
	require.True(t, m.hasInfo)
	require.Equal(t, MsgInfo{Stream: 1, PPID: 46}, m.info)
	q.requeue()
	m, ok = q.next(nil)
	require.True(t, ok)
	require.Equal(t, "one", string(m.b), "a failed write keeps the message first")
	q.release()
	m, ok = q.next(nil)
	require.True(t, ok)
	require.Equal(t, "two", string(m.b))
	require.False(t, m.hasInfo)
	q.release()
	require.NoError(t, q.waitEmpty(context.Background()))
}

func TestSendQueueSealClose(t *testing.T) {
	ctx := context.Background()
	q := newSendQueue(100, 10)
	require.NoError(t, q.push(ctx, []byte("a"), nil))
	require.NoError(t, q.push(ctx, []byte("bb"), nil))
	q.seal(net.ErrClosed)
	require.ErrorIs(t, q.push(ctx, []byte("c"), nil), net.ErrClosed)

	// Sealed: what is queued still drains.
	waited := make(chan error, 1)
	go func() { waited <- q.waitEmpty(ctx) }()
	for range 2 {
		_, ok := q.next(nil)
		require.True(t, ok)
		q.release()
	}
	require.NoError(t, <-waited)

	// Closed: the rest is dropped and counted, except the head being
	// written; waiters and writers wake.
	q = newSendQueue(100, 10)
	for _, s := range []string{"a", "bb", "ccc"} {
		require.NoError(t, q.push(ctx, []byte(s), nil))
	}
	_, ok := q.next(nil)
	require.True(t, ok)
	errGone := errors.New("gone")
	go func() { waited <- q.waitEmpty(ctx) }()
	msgs, bytes := q.close(errGone)
	require.Equal(t, 2, msgs)
	require.Equal(t, 5, bytes)
	require.ErrorIs(t, <-waited, errGone)
	_, ok = q.next(nil)
	require.False(t, ok)
	require.ErrorIs(t, q.push(ctx, []byte("d"), nil), errGone)
	msgs, bytes = q.close(errGone)
	require.Zero(t, msgs+bytes, "a second close drops nothing")

	// next gives up when done closes.
	q = newSendQueue(100, 10)
	done := make(chan struct{})
	close(done)
	_, ok = q.next(done)
	require.False(t, ok)
}
