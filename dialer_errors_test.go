package sctpdial

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/sctpdial/sctpdial/internal/vmtest"
	"github.com/stretchr/testify/require"
)

// TestDialBadInput needs no kernel SCTP: every row must fail before any
// socket or lookup, with a typed error, quickly and without leaks.
func TestDialBadInput(t *testing.T) {
	checkNoLeaks(t)
	tests := []struct {
		network, address string
		want             any // pointer to the error type expected inside OpError
		substr           string
	}{
		{"sctp", "", new(*net.AddrError), "missing address"},
		{"sctp", "192.0.2.1", new(*net.AddrError), "missing port"},
		{"sctp", "192.0.2.1:0", new(*net.AddrError), "port"},
		{"sctp", "192.0.2.1:65536", new(*net.AddrError), "port"},
		{"sctp", "192.0.2.1:http", new(*net.AddrError), "port"},
		{"sctp", "192.0.2.1,,192.0.2.2:9", new(*net.AddrError), "empty host"},
		{"sctp", ",192.0.2.1:9", new(*net.AddrError), "empty host"},
		{"sctp", "[2001:db8::1:9", new(*net.AddrError), ""},
		{"sctp", "2001:db8::1:9", new(*net.AddrError), ""},
		{"sctp", "192.0.2.1 :9", new(*net.AddrError), ""},
		{"sctp", "a\x00b:9", new(*net.AddrError), ""},
		{"sctp", "0.0.0.0:9", new(*net.AddrError), "unspecified"},
		{"sctp", "[::]:9", new(*net.AddrError), "unspecified"},
		{"sctp", "255.255.255.255:9", new(*net.AddrError), "broadcast"},
		{"sctp", "0.1.2.3:9", new(*net.AddrError), "0.0.0.0/8"},
		{"sctp", "224.0.0.1:9", new(*net.AddrError), "multicast"},
		{"sctp", "[ff02::1]:9", new(*net.AddrError), "multicast"},
		{"sctp4", "[2001:db8::1]:9", new(*net.AddrError), "no suitable address"},
		{"sctp6", "192.0.2.1:9", new(*net.AddrError), "no suitable address"},
		{"sctp", strings.Repeat("a", 5000) + ":9", new(*net.AddrError), "too long"},
		{"sctp", strings.Repeat("h,", 65) + "h:9", new(*net.AddrError), "too many"},
		{"sctpx", "192.0.2.1:9", new(net.UnknownNetworkError), "unknown network"},
	}
	for _, tt := range tests {
		name := tt.network + " " + tt.address
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			c, err := (&Dialer{OverrideTCP: true}).DialContext(context.Background(), tt.network, tt.address)
			require.Nil(t, c)
			require.Error(t, err)
			require.Less(t, time.Since(start), time.Second)
			if tt.network != "sctpx" {
				checkDialError(t, err, tt.network)
			}
			require.ErrorAs(t, err, tt.want)
			require.Contains(t, err.Error(), tt.substr)
		})
	}
	t.Run("mismatched LocalAddr", func(t *testing.T) {
		d := Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1)}}
		_, err := d.Dial("sctp", "192.0.2.2:9")
		var ae *net.AddrError
		require.ErrorAs(t, err, &ae)
	})
	t.Run("DialSCTP rejects TCP", func(t *testing.T) {
		_, err := (&Dialer{}).DialSCTP(context.Background(), "tcp", "192.0.2.2:9")
		require.ErrorAs(t, err, new(net.UnknownNetworkError))
	})
}

// TestDialErrnos checks that kernel errnos of sctp_connectx(3) (and of the
// steps before it) reach callers testably: *net.OpError → *os.SyscallError
// → syscall.Errno. Each case is produced for real in the guest.
func TestDialErrnos(t *testing.T) {
	requireGuest(t)
	setSysctl(t, "net.sctp.rto_initial", "100")
	inUse, inUsePort := listenLocal(t, vmtest.LocalIPv4B)
	_ = inUse
	tests := []struct {
		name    string
		d       Dialer
		address string
		errno   syscall.Errno
		syscall string
	}{
		{name: "refused", address: "127.0.0.1:1", errno: syscall.ECONNREFUSED, syscall: "sctp_connectx"},
		{name: "INIT retransmissions exhausted", address: hostPortList(9, vmtest.SilentIPv4),
			d:     Dialer{InitMsg: sctp.InitMsg{MaxAttempts: 1, MaxInitTimeout: 100}},
			errno: syscall.ETIMEDOUT, syscall: "sctp_connectx"},
		{name: "local address not ours", address: hostPortList(9, vmtest.LocalIPv4A),
			d:     Dialer{LocalAddr: &sctp.SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.ParseIP("198.51.100.77")}}}},
			errno: syscall.EADDRNOTAVAIL, syscall: "sctp_bindx"},
		{name: "local address in use", address: hostPortList(9, vmtest.LocalIPv4A),
			d:     Dialer{LocalAddr: &sctp.SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.ParseIP(vmtest.LocalIPv4B)}}, Port: inUsePort}},
			errno: syscall.EADDRINUSE, syscall: "sctp_bindx"},
		{name: "no local address in the peer's scope", address: hostPortList(9, vmtest.LocalIPv4A),
			d:     Dialer{LocalAddr: &sctp.SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.ParseIP("127.0.0.1")}}}},
			errno: syscall.ENETUNREACH, syscall: "sctp_connectx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkNoLeaks(t)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c, err := tt.d.DialContext(ctx, "sctp", tt.address)
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

// TestDialLocalAddrChecks: a LocalAddr the kernel could not use fails
// before any socket is opened, and a typed nil of another type does not
// panic.
func TestDialLocalAddrChecks(t *testing.T) {
	checkNoLeaks(t)
	calls := 0
	hook := func(string, string, syscall.RawConn) error { calls++; return nil }
	for _, tt := range []struct {
		name string
		la   net.Addr
	}{
		{"typed nil of another type", (*net.UnixAddr)(nil)},
		{"port out of range", &sctp.SCTPAddr{Port: 70000}},
		{"bad IP length", &sctp.SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.IP{1, 2, 3}}}}},
		{"unknown zone", &sctp.SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.ParseIP("fe80::1"), Zone: "no-such-if0"}}}},
		{"multicast", &sctp.SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.ParseIP("224.0.0.1")}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := Dialer{LocalAddr: tt.la, Control: hook}
			c, err := d.Dial("sctp", "192.0.2.1:9")
			require.Nil(t, c)
			var ae *net.AddrError
			require.ErrorAs(t, err, &ae)
		})
	}
	// Remote addresses: an unknown zone, named or numeric, and "::" with a
	// zone (netip's IsUnspecified is false for "::%lo").
	for _, addr := range []string{
		"[fe80::1%no-such-if0]:9",
		"[fe80::1%999]:9",
		"[fe80::1%0]:9",
		"[fe80::1%4294967295]:9",
		"[::%lo]:80",
		"[::%1]:80",
	} {
		t.Run("remote "+addr, func(t *testing.T) {
			c, err := (&Dialer{Control: hook}).Dial("sctp", addr)
			require.Nil(t, c)
			var ae *net.AddrError
			require.ErrorAs(t, err, &ae)
		})
	}
	require.Zero(t, calls, "no socket may be created for bad input")
}

// TestDialerDropIn: the fields and methods net.Dialer users set compile and
// reach the delegated dialer.
func TestDialerDropIn(t *testing.T) {
	d := Dialer{FallbackDelay: time.Millisecond, DualStack: true, KeepAliveConfig: net.KeepAliveConfig{Enable: true, Interval: 2 * time.Second, Count: 4}}
	require.False(t, d.MultipathTCP())
	d.SetMultipathTCP(true)
	require.True(t, d.MultipathTCP())
	nd := d.netDialer()
	require.Equal(t, time.Millisecond, nd.FallbackDelay)
	require.Equal(t, d.KeepAliveConfig, nd.KeepAliveConfig)
	interval, on, count := d.heartbeat()
	require.Equal(t, 2*time.Second, interval)
	require.True(t, on)
	require.Equal(t, uint16(4), count)
	interval, on, _ = (&Dialer{KeepAliveConfig: net.KeepAliveConfig{Enable: true}}).heartbeat()
	require.Zero(t, interval)
	require.True(t, on, "Enable alone must switch heartbeats on")

	cancel := make(chan struct{})
	close(cancel)
	_, err := (&Dialer{Cancel: cancel}).Dial("sctp", "192.0.2.1:9")
	require.ErrorIs(t, err, context.Canceled)
}
