package sctpdial

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/sctpdial/sctpdial/internal/vmtest"
	"github.com/stretchr/testify/require"
)

// interopPairs are the two-address sets each interop test runs with, one
// per family.
var interopPairs = []struct {
	name string
	a, b string
}{
	{"IPv4", vmtest.LocalIPv4A, vmtest.LocalIPv4B},
	{"IPv6", vmtest.LocalIPv6A, vmtest.LocalIPv6B},
}

func sctpAddrOf(port int, ips ...string) *sctp.SCTPAddr {
	a := &sctp.SCTPAddr{Port: port}
	for _, ip := range ips {
		a.IPAddrs = append(a.IPAddrs, net.IPAddr{IP: net.ParseIP(ip)})
	}
	return a
}

// peerRead reads once from the peer within 10 s. Its descriptors are
// blocking and its SetDeadline is not implemented, so the read runs in a
// goroutine (which stays blocked if the test fails).
func peerRead(t testing.TB, c *sctp.SCTPConn, buf []byte) string {
	t.Helper()
	type result struct {
		n   int
		err error
	}
	ch := make(chan result, 1)
	go func() {
		n, err := c.Read(buf)
		ch <- result{n, err}
	}()
	select {
	case r := <-ch:
		require.NoError(t, r.err)
		return string(buf[:r.n])
	case <-time.After(10 * time.Second):
		t.Fatal("peer Read did not return")
		return ""
	}
}

// TestInteropPeerDialsListener: ishidawataru/sctp's DialSCTPExt, bound to
// two local addresses, reaches our Listener on two addresses.
func TestInteropPeerDialsListener(t *testing.T) {
	requireGuest(t)
	for _, pair := range interopPairs {
		t.Run(pair.name, func(t *testing.T) {
			checkNoLeaks(t)
			l := listenT(t, nil, "sctp", hostPortList(0, pair.a, pair.b))
			port := listenerPort(t, l)
			ch := acceptAsync(l)

			peer, err := sctp.DialSCTPExt("sctp", sctpAddrOf(0, pair.a, pair.b), sctpAddrOf(port, pair.a, pair.b), peerInitMsg)
			require.NoError(t, err)
			defer peer.Close()
			ac := acceptT(t, ch)

			peerLocal, ok := peer.LocalAddr().(*sctp.SCTPAddr)
			require.True(t, ok)
			requireIPs(t, ac.RemoteAddr(), peerLocal.Port, pair.a, pair.b)
			requireIPs(t, ac.LocalAddr(), port, pair.a, pair.b)

			require.NoError(t, ac.SetDeadline(time.Now().Add(10*time.Second)))
			_, err = peer.Write([]byte("hello from the peer"))
			require.NoError(t, err)
			buf := make([]byte, 64)
			n, err := io.ReadAtLeast(ac, buf, len("hello from the peer"))
			require.NoError(t, err)
			require.Equal(t, "hello from the peer", string(buf[:n]))

			_, err = ac.Write([]byte("hello from sctpdial"))
			require.NoError(t, err)
			require.Equal(t, "hello from sctpdial", peerRead(t, peer, buf))
		})
	}
}

// TestInteropDialerReachesPeerListener: our Dialer, bound to two local
// addresses, reaches ishidawataru/sctp's ListenSCTPExt on two addresses.
func TestInteropDialerReachesPeerListener(t *testing.T) {
	requireGuest(t)
	for _, pair := range interopPairs {
		t.Run(pair.name, func(t *testing.T) {
			checkNoLeaks(t)
			ln, port := listenPeer(t, pair.a, pair.b)
			type result struct {
				c   *sctp.SCTPConn
				err error
			}
			ch := make(chan result, 1)
			go func() {
				c, err := ln.AcceptSCTP()
				ch <- result{c, err}
			}()

			d := &Dialer{Timeout: 10 * time.Second, LocalAddr: sctpAddrOf(0, pair.a, pair.b)}
			c, err := d.DialSCTP(context.Background(), "sctp", hostPortList(port, pair.a, pair.b))
			require.NoError(t, err)
			defer c.Close()
			var r result
			select {
			case r = <-ch:
			case <-time.After(10 * time.Second):
				t.Fatal("peer Accept did not return")
			}
			require.NoError(t, r.err)
			defer r.c.Close()

			requireIPs(t, c.RemoteAddr(), port, pair.a, pair.b)
			local := c.LocalAddr().(*sctp.SCTPAddr)
			requireIPs(t, local, 0, pair.a, pair.b)
			requireIPs(t, r.c.RemoteAddr(), local.Port, pair.a, pair.b)

			_, err = c.Write([]byte("hello from sctpdial"))
			require.NoError(t, err)
			buf := make([]byte, 64)
			require.Equal(t, "hello from sctpdial", peerRead(t, r.c, buf))

			_, err = r.c.Write([]byte("hello from the peer"))
			require.NoError(t, err)
			require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
			n, err := io.ReadAtLeast(c, buf, len("hello from the peer"))
			require.NoError(t, err)
			require.Equal(t, "hello from the peer", string(buf[:n]))
		})
	}
}
