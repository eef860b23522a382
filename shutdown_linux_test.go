package sctpdial

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"hash"
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// slowReader reads c to the end (io.EOF or an error) into a SHA-256,
// pausing after each read so that the sender's data is still queued when
// it starts its shutdown.
func slowReader(c *Conn, pause time.Duration) (hash.Hash, *atomic.Int64, chan error) {
	h := sha256.New()
	var total atomic.Int64
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := c.Read(buf)
			h.Write(buf[:n])
			total.Add(int64(n))
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				done <- err
				return
			}
			time.Sleep(pause)
		}
	}()
	return h, &total, done
}

// shutdownPayload is 1 MiB of random data in 16 KiB messages.
func shutdownPayload(t *testing.T) ([][]byte, []byte) {
	data := make([]byte, 1<<20)
	_, err := rand.Read(data)
	require.NoError(t, err)
	var msgs [][]byte
	for off := 0; off < len(data); off += 16 << 10 {
		msgs = append(msgs, data[off:off+16<<10])
	}
	sum := sha256.Sum256(data)
	return msgs, sum[:]
}

// TestConnShutdownDelivers: 1 MiB written, up to half of it still in the
// kernel's send queue when Shutdown starts (the peer reads slowly); when
// Shutdown returns nil the peer has every byte (same SHA-256) and c is
// closed.
func TestConnShutdownDelivers(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	c, peer := dialPair(t)
	require.NoError(t, c.SetWriteBuffer(512<<10))
	msgs, want := shutdownPayload(t)
	h, got, done := slowReader(peer, 5*time.Millisecond)
	require.NoError(t, c.SetWriteDeadline(time.Now().Add(20*time.Second)))
	for _, m := range msgs {
		_, err := c.Write(m)
		require.NoError(t, err)
	}
	st, err := c.Status()
	require.NoError(t, err)
	inFlight := 1<<20 - got.Load()
	t.Logf("at Shutdown: %d bytes not yet read by the peer, %d chunks unacknowledged, peer window %d", inFlight, st.Unacked, st.PeerRWND)
	require.Positive(t, inFlight, "the test needs data in flight when Shutdown starts")

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	require.NoError(t, c.Shutdown(ctx))
	t.Logf("Shutdown took %v", time.Since(start))
	require.NoError(t, <-done)
	require.Equal(t, want, h.Sum(nil), "the peer must have received every byte")
	_, err = c.Write([]byte("x"))
	require.ErrorIs(t, err, net.ErrClosed, "Shutdown closes the Conn")
}

// TestConnShutdownContextAborts: a peer that never reads cannot take 1 MiB;
// Shutdown gives up when its context ends, aborting the association
// (the peer sees ECONNRESET).
func TestConnShutdownContextAborts(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	c, peer := dialPair(t)
	require.NoError(t, peer.SetReadBuffer(16<<10))
	require.NoError(t, c.SetWriteBuffer(64<<10))
	msgs, _ := shutdownPayload(t)
	require.NoError(t, c.SetWriteDeadline(time.Now().Add(500*time.Millisecond)))
	for _, m := range msgs {
		if _, err := c.Write(m); err != nil {
			require.ErrorIs(t, err, os.ErrDeadlineExceeded)
			break
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.Shutdown(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 2*time.Second)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	require.True(t, ne.Timeout())

	require.NoError(t, peer.SetReadDeadline(time.Now().Add(5*time.Second)))
	buf := make([]byte, 64<<10)
	for {
		_, err = peer.Read(buf)
		if err != nil {
			break
		}
	}
	require.ErrorIs(t, err, syscall.ECONNRESET, "the peer sees the ABORT after the data it had")
}

// TestConnShutdownBadInput: zero Conns and closed ones.
func TestConnShutdownBadInput(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	require.ErrorIs(t, (*Conn)(nil).Shutdown(context.Background()), syscall.EINVAL)
	require.ErrorIs(t, new(Conn).Shutdown(context.Background()), syscall.EINVAL)
	c, _ := dialPair(t)
	require.NoError(t, c.Close())
	require.ErrorIs(t, c.Shutdown(context.Background()), net.ErrClosed)
}

// TestConnShutdownAfterPeerAbort: once the peer has aborted, Shutdown
// cannot promise anything: it fails (the reset, or ENOTCONN) and closes c.
func TestConnShutdownAfterPeerAbort(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	c, peer := dialPair(t)
	_, err := c.Write([]byte("lost?"))
	require.NoError(t, err)
	abortConn(t, peer)
	require.Eventually(t, func() bool { _, err := c.Status(); return err != nil }, 5*time.Second, time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = c.Shutdown(ctx)
	require.Error(t, err)
	t.Logf("Shutdown after the ABORT: %v", err)
	require.True(t, errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ENOTCONN), "%v", err)
	_, err = c.Write([]byte("x"))
	require.ErrorIs(t, err, net.ErrClosed)
}
