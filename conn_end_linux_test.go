package sctpdial

import (
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestConnReadAfterPeerAbort: after the peer aborts (close with SO_LINGER
// 0), the first read reports ECONNRESET and every later Read and ReadMsg
// returns io.EOF at once, as a TCPConn does after a reset; a Write fails
// rather than blocking.
func TestConnReadAfterPeerAbort(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	dialed, accepted := dialPair(t)
	abortOnClose(t, accepted)
	require.NoError(t, accepted.Close())

	buf := make([]byte, 64)
	require.NoError(t, dialed.SetDeadline(time.Now().Add(5*time.Second)))
	_, err := dialed.Read(buf)
	require.ErrorIs(t, err, syscall.ECONNRESET)
	for i := 0; i < 3; i++ {
		start := time.Now()
		_, err = dialed.Read(buf)
		require.ErrorIs(t, err, io.EOF, "Read %d after the reset", i+2)
		_, _, err = dialed.ReadMsg(buf)
		require.ErrorIs(t, err, io.EOF, "ReadMsg %d after the reset", i+2)
		require.Less(t, time.Since(start), time.Second, "reads after the reset must not wait")
	}
	_, err = dialed.Write([]byte("x"))
	require.Error(t, err)
	var ne net.Error
	require.False(t, errors.As(err, &ne) && ne.Timeout(), "Write after the reset waited for its deadline: %v", err)
}
