package sctpdial

import (
	"context"
	"io"
	"net"
	"testing"

	"github.com/ishidawataru/sctp"
	"github.com/stretchr/testify/require"
)

// benchEcho starts one of our listeners on loopback that echoes every
// message, and returns its port.
func benchEcho(b *testing.B) int {
	b.Helper()
	lc := ListenConfig{InitMsg: peerInitMsg}
	ln, err := lc.ListenSCTP(context.Background(), "sctp", "127.0.0.1:0")
	require.NoError(b, err)
	b.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.AcceptSCTP()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4<<10)
				for {
					n, err := c.Read(buf)
					if err != nil {
						return
					}
					if _, err := c.Write(buf[:n]); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().(*sctp.SCTPAddr).Port
}

// BenchmarkRoundTrip compares one 64-byte message out and its echo back on
// an established association.
func BenchmarkRoundTrip(b *testing.B) {
	requireSCTP(b)
	port := benchEcho(b)
	msg := make([]byte, 64)
	buf := make([]byte, 256)

	b.Run("sctpdial", func(b *testing.B) {
		c, err := (&Dialer{InitMsg: peerInitMsg}).DialSCTP(context.Background(), "sctp", hostPortList(port, "127.0.0.1"))
		require.NoError(b, err)
		defer c.Close()
		roundTrips(b, c, msg, buf)
	})
	b.Run("sctpdial-msg", func(b *testing.B) {
		c, err := (&Dialer{InitMsg: peerInitMsg}).DialSCTP(context.Background(), "sctp", hostPortList(port, "127.0.0.1"))
		require.NoError(b, err)
		defer c.Close()
		info := &MsgInfo{Stream: 1, PPID: 60}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.WriteMsg(msg, info); err != nil {
				b.Fatal(err)
			}
			if _, _, err := c.ReadMsg(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ishidawataru", func(b *testing.B) {
		raddr := &sctp.SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1)}}, Port: port}
		c, err := sctp.DialSCTPExt("sctp", nil, raddr, peerInitMsg)
		require.NoError(b, err)
		defer c.Close()
		roundTrips(b, c, msg, buf)
	})
}

func roundTrips(b *testing.B, c io.ReadWriter, msg, buf []byte) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf[:len(msg)]); err != nil {
			b.Fatal(err)
		}
	}
}
