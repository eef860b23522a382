package sctpdial

import (
	"context"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// sockBuffers reads SO_RCVBUF and SO_SNDBUF of c's socket.
func sockBuffers(t *testing.T, c *Conn) (rcv, snd int) {
	t.Helper()
	rc, err := c.SyscallConn()
	require.NoError(t, err)
	var rerr, serr error
	require.NoError(t, rc.Control(func(fd uintptr) {
		rcv, rerr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF)
		snd, serr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_SNDBUF)
	}))
	require.NoError(t, rerr)
	require.NoError(t, serr)
	return rcv, snd
}

// kernelBuffer is what the kernel grants for a SO_RCVBUF or SO_SNDBUF
// request of n bytes without SO_*BUFFORCE: twice n, capped at twice the
// sysctl limit (sock_setsockopt, __sock_set_rcvbuf).
func kernelBuffer(t *testing.T, n int, limit string) int {
	return 2 * min(n, sysctlInt(t, limit))
}

// TestTuningReadBack dials and accepts with each profile and with the
// defaults and reads every setting back from the kernel on both ends.
func TestTuningReadBack(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	kernelRcv, kernelSnd := sysctlInt(t, "net.core.rmem_default"), sysctlInt(t, "net.core.wmem_default")
	for _, tt := range []struct {
		name              string
		profile           Profile
		wantRcv, wantSnd  int // 0: kernelBuffer of the default request
		wantSACK          DelayedSACK
		keepKernelBuffers bool
	}{
		{name: "defaults", wantSACK: DelayedSACK{Delay: 200 * time.Millisecond, Frequency: 2}},
		{name: "signalling", profile: SignallingProfile(), wantSACK: DelayedSACK{Frequency: 1}},
		{name: "bulk", profile: BulkProfile(), wantSACK: DelayedSACK{Delay: 200 * time.Millisecond, Frequency: 2}},
		{name: "short delay", profile: Profile{DelayedSACK: DelayedSACK{Delay: 20 * time.Millisecond, Frequency: 4}},
			wantSACK: DelayedSACK{Delay: 20 * time.Millisecond, Frequency: 4}},
		{name: "kernel buffers", profile: Profile{ReadBuffer: -1, WriteBuffer: -1}, keepKernelBuffers: true,
			wantSACK: DelayedSACK{Delay: 200 * time.Millisecond, Frequency: 2}},
		{name: "small buffers", profile: Profile{ReadBuffer: 64 << 10, WriteBuffer: 32 << 10},
			wantRcv: 2 * 64 << 10, wantSnd: 2 * 32 << 10, wantSACK: DelayedSACK{Delay: 200 * time.Millisecond, Frequency: 2}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var lc ListenConfig
			lc.Apply(tt.profile)
			ln, err := lc.ListenSCTP(context.Background(), "sctp", "127.0.0.1:0")
			require.NoError(t, err)
			defer ln.Close()
			d := Dialer{InitMsg: peerInitMsg}
			d.Apply(tt.profile)
			c, err := d.DialSCTP(context.Background(), "sctp", ln.Addr().String())
			require.NoError(t, err)
			defer c.Close()
			a, err := ln.AcceptSCTP()
			require.NoError(t, err)
			defer a.Close()

			wantRcv, wantSnd := tt.wantRcv, tt.wantSnd
			switch {
			case tt.keepKernelBuffers:
				wantRcv, wantSnd = kernelRcv, kernelSnd
			case wantRcv == 0:
				// ReadBuffer 0 asks for DefaultReadBuffer.
				wantRcv, wantSnd = kernelBuffer(t, DefaultReadBuffer, "net.core.rmem_max"), kernelSnd
				if tt.profile.ReadBuffer > 0 {
					wantRcv = kernelBuffer(t, tt.profile.ReadBuffer, "net.core.rmem_max")
				}
				if tt.profile.WriteBuffer > 0 {
					wantSnd = kernelBuffer(t, tt.profile.WriteBuffer, "net.core.wmem_max")
				}
			}
			for name, conn := range map[string]*Conn{"dialed": c, "accepted": a} {
				rcv, snd := sockBuffers(t, conn)
				require.Equal(t, wantRcv, rcv, "%s SO_RCVBUF", name)
				require.Equal(t, wantSnd, snd, "%s SO_SNDBUF", name)
				s, err := conn.DelayedSACK()
				require.NoError(t, err)
				require.Equal(t, tt.wantSACK, s, "%s SCTP_DELAYED_SACK", name)
			}
		})
	}
}

// TestConnSetDelayedSACK changes a live association's delayed SACK and
// reads it back; a delay beyond the kernel's 500 ms fails with EINVAL.
func TestConnSetDelayedSACK(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	c, _ := dialPair(t)

	for _, tt := range []struct {
		set, want DelayedSACK
	}{
		{DelayedSACK{Delay: 40 * time.Millisecond}, DelayedSACK{Delay: 40 * time.Millisecond, Frequency: 2}},
		{DelayedSACK{Frequency: 3}, DelayedSACK{Delay: 40 * time.Millisecond, Frequency: 3}},
		// Rounded up to milliseconds; 20 ms is whole jiffies at any HZ.
		{DelayedSACK{Delay: 19500 * time.Microsecond}, DelayedSACK{Delay: 20 * time.Millisecond, Frequency: 3}},
		{DelayedSACK{Frequency: 1}, DelayedSACK{Frequency: 1}},
		{DelayedSACK{}, DelayedSACK{Frequency: 1}},
	} {
		require.NoError(t, c.SetDelayedSACK(tt.set))
		got, err := c.DelayedSACK()
		require.NoError(t, err)
		require.Equal(t, tt.want, got, "after setting %+v", tt.set)
	}
	require.ErrorIs(t, c.SetDelayedSACK(DelayedSACK{Delay: time.Second}), unix.EINVAL)
	require.ErrorIs(t, c.SetDelayedSACK(DelayedSACK{Delay: -time.Millisecond}), unix.EINVAL)
	require.NoError(t, c.Close())
	_, err := c.DelayedSACK()
	require.ErrorIs(t, err, net.ErrClosed)
}

// sysctlInt reads an integer sysctl.
func sysctlInt(t *testing.T, name string) int {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/" + strings.ReplaceAll(name, ".", "/"))
	require.NoError(t, err)
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	require.NoError(t, err)
	return n
}
