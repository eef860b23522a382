package sctpdial

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/sctpdial/sctpdial/internal/netlab"
	"github.com/stretchr/testify/require"
)

// TestAcceptedShutdownWhileQueued: a peer closes gracefully while its
// association waits in the accept queue, and Accept takes it between the
// server's SHUTDOWN-ACK and the peer's SHUTDOWN COMPLETE (held back
// 500 ms on its way). The kernel marks the end of reading (RCV_SHUTDOWN)
// on the socket that holds the association when the SHUTDOWN arrives,
// which was the listener, and then frees the association without a word
// to the accepted socket: nothing wakes a Read there (sctp_poll reports
// nothing). TCP's Read returns io.EOF for a connection closed while it
// was queued; so must this one, once the shutdown completes.
func TestAcceptedShutdownWhileQueued(t *testing.T) {
	requireGuest(t)
	checkNoLeaks(t)
	lab := netlab.Start(t, netlab.IPv4)
	server := lab.ServerAddrs()[0].String()
	var ln *Listener
	require.NoError(t, lab.Server.Do(func() (err error) {
		ln, err = (&ListenConfig{InitMsg: peerInitMsg}).ListenSCTP(context.Background(), "sctp4", server+":0")
		return err
	}))
	defer ln.Close()
	addr := hostPortList(Port(ln.Addr()), server)
	require.NoError(t, lab.DelayChunk(0, netlab.ChunkShutdownComplete, 500*time.Millisecond))
	require.NoError(t, lab.Client.Do(func() error {
		c, err := (&Dialer{InitMsg: peerInitMsg, Timeout: 5 * time.Second}).Dial("sctp4", addr)
		if err != nil {
			return err
		}
		return c.Close()
	}))
	// SHUTDOWN and SHUTDOWN-ACK cross at once; the SHUTDOWN COMPLETE is
	// still on its way.
	time.Sleep(100 * time.Millisecond)
	c, err := ln.AcceptSCTP()
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(3*time.Second)))
	start := time.Now()
	_, err = c.Read(make([]byte, 16))
	t.Logf("Read: %v after %v", err, time.Since(start).Round(time.Millisecond))
	require.ErrorIs(t, err, io.EOF)
	require.Less(t, time.Since(start), 1500*time.Millisecond)
}

// TestAcceptedShutdownWhileQueuedTCP is the contract the SCTP case is held
// to: package net's Read of a TCP connection closed while queued returns
// io.EOF at once.
func TestAcceptedShutdownWhileQueuedTCP(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	c, err := net.Dial("tcp4", ln.Addr().String())
	require.NoError(t, err)
	require.NoError(t, c.Close())
	s, err := ln.Accept()
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.SetReadDeadline(time.Now().Add(3*time.Second)))
	_, err = s.Read(make([]byte, 16))
	require.ErrorIs(t, err, io.EOF)
}
