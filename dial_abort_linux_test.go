package sctpdial

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/sctpdial/sctpdial/internal/netlab"
	"github.com/stretchr/testify/require"
)

// TestDialCancelledAfterCookieEchoAborts: a dial cancelled after its
// COOKIE-ECHO went out, while the COOKIE-ACK is still on its way, aborts
// the association the peer created from that COOKIE-ECHO. Each direction
// of the path is delayed by 400 ms: the INIT-ACK reaches the client at
// about 800 ms, the COOKIE-ECHO the server at 1.2 s, the COOKIE-ACK
// would reach the client at 1.6 s; the dial is cancelled at 1.1 s. The
// server accepts the association, and its Read must end at once with the
// ABORT the cancelled dial sent, not wait half-open for a peer that is
// gone (which is what a plain close in COOKIE_ECHOED leaves behind).
func TestDialCancelledAfterCookieEchoAborts(t *testing.T) {
	requireGuest(t)
	checkNoLeaks(t)
	lab := netlab.Start(t, netlab.IPv4)
	const oneWay = 400 * time.Millisecond
	require.NoError(t, lab.Impair(0, netlab.Impairment{Delay: oneWay}))
	server := lab.ServerAddrs()[0].String()
	var ln *Listener
	var peer *Conn
	require.NoError(t, lab.Server.Do(func() (err error) {
		ln, err = (&ListenConfig{InitMsg: peerInitMsg}).ListenSCTP(context.Background(), "sctp4", server+":0")
		return err
	}))
	defer ln.Close()

	// A first dial resolves the neighbours (ARP is delayed too) and shows
	// the handshake takes its four one-way trips.
	addr := hostPortList(Port(ln.Addr()), server)
	require.NoError(t, lab.Client.Do(func() error {
		start := time.Now()
		c, err := (&Dialer{InitMsg: peerInitMsg, Timeout: 10 * time.Second}).Dial("sctp4", addr)
		if err != nil {
			return err
		}
		t.Logf("a full handshake takes %v", time.Since(start).Round(time.Millisecond))
		return c.Close()
	}))
	first, err := ln.AcceptSCTP()
	require.NoError(t, err)
	first.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var derr error
	require.NoError(t, lab.Client.Do(func() error {
		timer := time.AfterFunc(2*oneWay+3*oneWay/4, cancel)
		defer timer.Stop()
		c, err := (&Dialer{InitMsg: peerInitMsg}).DialContext(ctx, "sctp4", addr)
		if c != nil {
			c.Close()
		}
		derr = err
		return nil
	}))
	require.ErrorIs(t, derr, context.Canceled)

	// The COOKIE-ECHO was in flight when the dial gave up: the server
	// completes the association and queues it for Accept.
	require.NoError(t, ln.SetDeadline(time.Now().Add(5*time.Second)))
	peer, err = ln.AcceptSCTP()
	require.NoError(t, err, "the COOKIE-ECHO reached the server")
	defer peer.Close()
	require.NoError(t, peer.SetReadDeadline(time.Now().Add(5*time.Second)))
	start := time.Now()
	_, err = peer.Read(make([]byte, 16))
	took := time.Since(start)
	t.Logf("server's Read after the cancelled dial: %v after %v", err, took.Round(time.Millisecond))
	require.Error(t, err)
	require.False(t, errors.Is(err, os.ErrDeadlineExceeded), "the server's association was left half-open: %v", err)
	// The ABORT left when the dial was cancelled, 100 ms before the
	// COOKIE-ECHO reached the server, and is one 400 ms trip behind it.
	// Left half-open, the server's association met the closed port with
	// its first retransmission or heartbeat only, 2–3.6 s after Accept in
	// runs with 200 ms trips.
	require.Less(t, took, 1500*time.Millisecond)
}
