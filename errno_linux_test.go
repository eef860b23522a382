package sctpdial

import (
	"context"
	"errors"
	"net"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/sctpdial/sctpdial/internal/vmtest"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestDialErrnosProvoked provokes the errnos of sctp_connectx(3) and of
// the steps before it that TestDialErrnos does not, each for real in the
// guest, and checks the nesting *net.OpError → *os.SyscallError{step} →
// errno. docs/errors.md lists those no test can provoke, and why.
func TestDialErrnosProvoked(t *testing.T) {
	requireGuest(t)
	tests := []struct {
		name    string
		setup   func(t *testing.T) // run before the dial
		d       Dialer
		address string
		errno   syscall.Errno
		syscall string
		noCaps  bool // dial on a thread without CAP_NET_BIND_SERVICE
	}{
		{
			// IS_IPV4_UNUSABLE_ADDRESS in sctp_v4_addr_valid: the
			// package's own checks let 192.88.99.0/24 through.
			name: "unusable peer address", address: "192.88.99.1:9",
			errno: syscall.EINVAL, syscall: "sctp_connectx",
		},
		{
			// sctp_connect_new_asoc: sctp_autobind finds no free port.
			name: "ephemeral ports exhausted", address: hostPortList(9, vmtest.LocalIPv4A),
			setup: exhaustEphemeralPorts, errno: syscall.EAGAIN, syscall: "sctp_connectx",
		},
		{
			// sctp_do_bind: a privileged port without CAP_NET_BIND_SERVICE.
			name: "privileged local port", address: hostPortList(9, vmtest.LocalIPv4A),
			d:      Dialer{LocalAddr: &sctp.SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.ParseIP(vmtest.LocalIPv4B)}}, Port: 1}},
			noCaps: true, errno: syscall.EACCES, syscall: "sctp_bindx",
		},
		{
			// socket(2) under RLIMIT_NOFILE.
			name: "descriptor limit", address: hostPortList(9, vmtest.LocalIPv4A),
			setup: lowerFDLimit, errno: syscall.EMFILE, syscall: "socket",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkNoLeaks(t)
			if tt.setup != nil {
				tt.setup(t)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var c *Conn
			var err error
			if tt.noCaps {
				c, err = dialWithoutBindService(t, ctx, &tt.d, tt.address)
			} else {
				c, err = tt.d.DialSCTP(ctx, "sctp", tt.address)
			}
			require.Nil(t, c)
			checkDialError(t, err, "sctp")
			require.ErrorIs(t, err, tt.errno, "got %v", err)
			var se *os.SyscallError
			require.ErrorAs(t, err, &se)
			require.Equal(t, tt.syscall, se.Syscall)
			require.False(t, errors.Is(err, context.DeadlineExceeded), "a kernel error is not the dial deadline")
		})
	}
}

// exhaustEphemeralPorts narrows net.ipv4.ip_local_port_range to two ports
// and holds both with listeners, so that no socket can get a port of its
// own (sctp_get_port_local skips every port in use).
func exhaustEphemeralPorts(t *testing.T) {
	setSysctl(t, "net.ipv4.ip_local_port_range", "40000 40001")
	for _, port := range []int{40000, 40001} {
		l, err := Listen("sctp4", hostPortList(port, vmtest.LocalIPv4B))
		require.NoError(t, err)
		t.Cleanup(func() { l.Close() })
	}
}

var savedFDLimit syscall.Rlimit

// lowerFDLimit lowers RLIMIT_NOFILE to the lowest free descriptor, so that
// the next socket(2) fails, until the test ends.
func lowerFDLimit(t *testing.T) {
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &savedFDLimit))
	low := savedFDLimit
	// The limit bounds descriptor numbers: the next one is the lowest
	// free, which a dup finds.
	free, err := unix.Dup(0)
	require.NoError(t, err)
	require.NoError(t, unix.Close(free))
	low.Cur = uint64(free)
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low))
	t.Cleanup(func() { require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &savedFDLimit)) })
}

// dialWithoutBindService dials from an OS thread that has dropped
// CAP_NET_BIND_SERVICE (capabilities are per thread; the guest runs the
// tests as root). The thread is never unlocked, so it ends with its
// goroutine and no other goroutine runs without the capability.
func dialWithoutBindService(t *testing.T, ctx context.Context, d *Dialer, address string) (*Conn, error) {
	type result struct {
		c   *Conn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
		var data [2]unix.CapUserData
		if err := unix.Capget(&hdr, &data[0]); err != nil {
			ch <- result{nil, err}
			return
		}
		const capNetBindService = 10 // CAP_NET_BIND_SERVICE, linux/capability.h
		data[0].Effective &^= 1 << capNetBindService
		if err := unix.Capset(&hdr, &data[0]); err != nil {
			ch <- result{nil, err}
			return
		}
		c, err := d.DialSCTP(ctx, "sctp", address)
		ch <- result{c, err}
	}()
	r := <-ch
	if r.c != nil {
		r.c.Close()
	}
	return r.c, r.err
}
