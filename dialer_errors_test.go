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
