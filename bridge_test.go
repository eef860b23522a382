//go:build linux && !386

// ishidawataru/sctp has no SCTP on linux/386 (sctp_unsupported.go): its
// SCTPConn there lacks SyscallConn, which these tests use.

package sctpdial

import (
	"net"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestIntoSCTPConn hands a live association over to ishidawataru/sctp:
// data flows both ways on the SCTPConn, with stream and PPID, and the
// consumed Conn reports net.ErrClosed.
func TestIntoSCTPConn(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	c, peer := dialIshi(t, nil, "127.0.0.1")
	var col collector
	require.NoError(t, c.SetNotificationHandler(EventShutdown, col.handle))
	_, err := c.WriteMsg([]byte("before"), &MsgInfo{Stream: 1, PPID: 60})
	require.NoError(t, err)
	got, _ := peerReadMsg(t, peer, make([]byte, 64))
	require.Equal(t, "before", got)

	// A Read pending on c when it is handed over returns net.ErrClosed.
	pending := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 16))
		pending <- err
	}()
	time.Sleep(20 * time.Millisecond)

	sc, err := c.IntoSCTPConn()
	require.NoError(t, err)
	defer sc.Close()
	select {
	case err := <-pending:
		require.ErrorIs(t, err, net.ErrClosed)
	case <-time.After(10 * time.Second):
		t.Fatal("pending Read did not return")
	}
	_, err = c.Write([]byte("x"))
	require.ErrorIs(t, err, net.ErrClosed)
	_, err = c.IntoSCTPConn()
	require.ErrorIs(t, err, net.ErrClosed)

	// The descriptor is blocking now, as SCTPConn's raw recvmsg needs.
	rc, err := sc.SyscallConn()
	require.NoError(t, err)
	var flags int
	require.NoError(t, rc.Control(func(fd uintptr) { flags, err = unix.FcntlInt(fd, unix.F_GETFL, 0) }))
	require.NoError(t, err)
	require.Zero(t, flags&unix.O_NONBLOCK)

	_, err = sc.SCTPWrite([]byte("after"), &sctp.SndRcvInfo{Stream: 2, PPID: 60})
	require.NoError(t, err)
	got, info := peerReadMsg(t, peer, make([]byte, 64))
	require.Equal(t, "after", got)
	require.Equal(t, uint16(2), info.Stream)
	require.Equal(t, uint32(60), info.PPID)

	_, err = peer.Write([]byte("back"))
	require.NoError(t, err)
	got, _ = peerReadMsg(t, sc, make([]byte, 64))
	require.Equal(t, "back", got)

	// The subscription was switched off: the peer's shutdown reaches the
	// SCTPConn as the end of its stream, not as notification bytes.
	require.NoError(t, peer.Close())
	n, err := sc.Read(make([]byte, 64))
	require.Zero(t, n)
	require.Error(t, err)
	require.Empty(t, col.all())
}
