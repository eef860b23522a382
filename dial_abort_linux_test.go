package sctpdial

import (
	"context"
	"errors"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
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

// TestDialCancelAbortOvertakesCookieEcho shows the limit of that abort.
// The client's COOKIE-ECHO is held back 500 ms on its way (and no other
// packet), and the dial is cancelled while it travels: the ABORT the
// cancelled dial sends overtakes it. That ABORT meets no association at
// the server, which creates one from the COOKIE-ECHO that arrives after
// it; its COOKIE-ACK then reaches a closed port, where the kernel drops
// it (an out-of-the-blue COOKIE-ACK is discarded, RFC 9260 section 8.4).
// Packets reorder like this on real networks. No client can prevent it:
// what ends such an association is a heartbeat of the server's, which
// the client's kernel answers with an ABORT. A multi-homed client's INIT
// lists addresses the server has not confirmed, and the server sends
// those a heartbeat one RTO after the association is up (200 ms here). A
// single-homed client leaves only the heartbeat interval: 30 s by
// default, so the server's Read waits out its 2 s deadline here, or the
// listener's KeepAlive (300 ms here).
func TestDialCancelAbortOvertakesCookieEcho(t *testing.T) {
	requireGuest(t)
	checkNoLeaks(t)
	for _, tt := range []struct {
		name        string
		singleHomed bool // the dial binds the client's path-0 address only
		keepAlive   time.Duration
		halfOpen    bool
	}{
		{"single-homed, default heartbeat", true, 0, true},
		{"single-homed, 300 ms heartbeat", true, 300 * time.Millisecond, false},
		{"multi-homed, default heartbeat", false, 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lab := netlab.Start(t, netlab.IPv4)
			server := lab.ServerAddrs()[0].String()
			var ln *Listener
			require.NoError(t, lab.Server.Do(func() (err error) {
				lc := ListenConfig{InitMsg: peerInitMsg, KeepAlive: tt.keepAlive,
					RTO: RTOInfo{Initial: 200 * time.Millisecond, Min: 100 * time.Millisecond, Max: time.Second}}
				ln, err = lc.ListenSCTP(context.Background(), "sctp4", server+":0")
				return err
			}))
			defer ln.Close()
			addr := hostPortList(Port(ln.Addr()), server)
			d := &Dialer{InitMsg: peerInitMsg, Timeout: 5 * time.Second}
			if tt.singleHomed {
				d.LocalAddr = &sctp.SCTPAddr{IPAddrs: []net.IPAddr{{IP: lab.ClientAddrs()[0].AsSlice()}}}
			}
			// A first dial resolves the neighbours before the delay.
			require.NoError(t, lab.Client.Do(func() error {
				c, err := d.Dial("sctp4", addr)
				if err != nil {
					return err
				}
				return c.Close()
			}))
			first, err := ln.AcceptSCTP()
			require.NoError(t, err)
			first.Close()

			require.NoError(t, lab.DelayChunk(0, netlab.ChunkCookieEcho, 500*time.Millisecond))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var derr error
			require.NoError(t, lab.Client.Do(func() error {
				timer := time.AfterFunc(100*time.Millisecond, cancel)
				defer timer.Stop()
				c, err := d.DialContext(ctx, "sctp4", addr)
				if c != nil {
					c.Close()
				}
				derr = err
				return nil
			}))
			require.ErrorIs(t, derr, context.Canceled)

			require.NoError(t, ln.SetDeadline(time.Now().Add(3*time.Second)))
			peer, err := ln.AcceptSCTP()
			require.NoError(t, err, "the COOKIE-ECHO that came after the ABORT made an association")
			defer peer.Close()
			accepted := time.Now()
			require.NoError(t, peer.SetReadDeadline(accepted.Add(2*time.Second)))
			_, err = peer.Read(make([]byte, 16))
			took := time.Since(accepted)
			t.Logf("server's Read: %v after %v", err, took.Round(time.Millisecond))
			if tt.halfOpen {
				require.ErrorIs(t, err, os.ErrDeadlineExceeded, "the overtaken ABORT reached an association")
				return
			}
			require.ErrorIs(t, err, syscall.ECONNRESET, "the heartbeat met the closed port, whose ABORT ends the association")
		})
	}
}
