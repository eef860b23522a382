package sctpdial

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/stretchr/testify/require"
)

// TestKernelLoopbackRoundTrip proves the whole path: one non-blocking
// socket, one connectx over loopback, the peer accepts, one message each way.
func TestKernelLoopbackRoundTrip(t *testing.T) {
	requireSCTP(t)
	ln, port := listenPeer(t, "127.0.0.1")
	accepted := make(chan *sctp.SCTPConn, 1)
	go func() {
		c, err := ln.AcceptSCTP()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var d Dialer
	c, err := d.DialContext(ctx, "sctp", hostPortList(port, "127.0.0.1"))
	require.NoError(t, err)
	defer c.Close()

	peer, ok := <-accepted
	require.True(t, ok, "accept failed")
	defer peer.Close()

	_, err = c.Write([]byte("ping"))
	require.NoError(t, err)
	buf := make([]byte, 64)
	n, err := peer.Read(buf)
	require.NoError(t, err)
	require.Equal(t, "ping", string(buf[:n]))

	_, err = peer.Write([]byte("pong"))
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
	n, err = io.ReadAtLeast(c, buf, 4)
	require.NoError(t, err)
	require.Equal(t, "pong", string(buf[:n]))

	ra := c.RemoteAddr().(*sctp.SCTPAddr)
	require.Equal(t, port, ra.Port)
	require.Equal(t, "127.0.0.1", ra.IPAddrs[0].IP.String())
}
