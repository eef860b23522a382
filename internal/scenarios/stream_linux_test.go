package scenarios_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sctpdial/sctpdial"
	"github.com/sctpdial/sctpdial/internal/netlab"
	"github.com/stretchr/testify/require"
)

// streamed is what a stream across a cut measured.
type streamed struct {
	took  time.Duration // first read to last
	cutAt time.Time
	gaps  []gap // between two reads, longer than 50 ms
}

type gap struct{ start, end time.Time }

// longest returns the longest gap that overlaps [from, to).
func (s *streamed) longest(from, to time.Time) time.Duration {
	var d time.Duration
	for _, g := range s.gaps {
		if g.end.After(from) && g.start.Before(to) {
			d = max(d, g.end.Sub(g.start))
		}
	}
	return d
}

// failoverStall is the longest wait for data from the cut until bound
// after it: the failover itself, not the noise of a busy machine later.
func (s *streamed) failoverStall(bound time.Duration) time.Duration {
	return s.longest(s.cutAt, s.cutAt.Add(bound))
}

// before is the longest gap before the cut: what the machine does
// without any failover.
func (s *streamed) before() time.Duration {
	var d time.Duration
	for _, g := range s.gaps {
		if s.cutAt.IsZero() || g.end.Before(s.cutAt) {
			d = max(d, g.end.Sub(g.start))
		}
	}
	return d
}

// after is the longest gap from the cut on.
func (s *streamed) after() time.Duration { return s.longest(s.cutAt, time.Now()) }

// stream sends total bytes from c to peer in numbered messages of size
// bytes (an 8-byte sequence number, then pseudo-random bytes), cuts path
// cut once cutAfter bytes have arrived (no cut if negative), and checks
// that every message arrives once, in order, and that the SHA-256 of
// everything read is the one of everything written.
// readWait is how long stream's reader waits for one read before failing.
var readWait = 10 * time.Second

func stream(t *testing.T, lab *netlab.Lab, c, peer *sctpdial.Conn, total, size, cutAfter, cut int) streamed {
	t.Helper()
	type sent struct {
		sum [32]byte
		err error
	}
	done := make(chan sent, 1)
	go func() {
		h := sha256.New()
		// Pseudo-random bytes, a different window of them per message:
		// generating them anew costs more than the transfer under TCG.
		noise := make([]byte, 2*size)
		rand.NewChaCha8([32]byte{1}).Read(noise)
		msg := make([]byte, size)
		var err error
		for seq := uint64(0); err == nil && int(seq)*size < total; seq++ {
			binary.BigEndian.PutUint64(msg, seq)
			off := int(seq*7919) % size
			copy(msg[8:], noise[off:])
			h.Write(msg)
			_, err = c.WriteMsg(msg, &sctpdial.MsgInfo{Stream: 1})
		}
		done <- sent{[32]byte(h.Sum(nil)), err}
	}()
	waited := false
	t.Cleanup(func() {
		if !waited {
			c.Close() // unblocks the writer
			<-done
		}
	})

	var res streamed
	h := sha256.New()
	buf := make([]byte, 2*size)
	var msg []byte
	var start, last time.Time
	for seq, got := uint64(0), 0; got < total; {
		require.NoError(t, peer.SetReadDeadline(time.Now().Add(readWait)))
		n, info, err := peer.ReadMsg(buf)
		now := time.Now()
		if !errors.Is(err, sctpdial.ErrPartialMessage) {
			require.NoError(t, err, "after %d bytes (cut at %v)", got, res.cutAt)
		}
		if start.IsZero() {
			start = now
		} else if now.Sub(last) > 50*time.Millisecond {
			res.gaps = append(res.gaps, gap{last, now})
		}
		last = now
		msg = append(msg, buf[:n]...)
		if err != nil {
			continue // the rest of the message follows
		}
		require.Equal(t, uint16(1), info.Stream)
		require.Len(t, msg, size, "message %d", seq)
		require.Equal(t, seq, binary.BigEndian.Uint64(msg), "messages lost, duplicated or reordered")
		h.Write(msg)
		seq++
		got += len(msg)
		msg = msg[:0]
		if cut >= 0 && got >= cutAfter && res.cutAt.IsZero() {
			require.NoError(t, lab.Cut(cut))
			res.cutAt = time.Now()
		}
	}
	res.took = last.Sub(start)
	s := <-done
	waited = true
	require.NoError(t, s.err)
	require.True(t, bytes.Equal(s.sum[:], h.Sum(nil)), "SHA-256 of what was read differs from what was written")
	return res
}
