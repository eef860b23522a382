package sctpdial

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/sctpdial/sctpdial/internal/vmtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/nettest"
)

func TestParseListenAddr(t *testing.T) {
	tests := []struct {
		network, address string
		hosts            []string
		port             int
		err              string // substring of the *net.AddrError text; "" for success
	}{
		{"sctp", ":0", nil, 0, ""},
		{"sctp", ":", nil, 0, ""},
		{"sctp", ":9", nil, 9, ""},
		{"sctp", "0.0.0.0:9", nil, 9, ""},
		{"sctp", "[::]:9", nil, 9, ""},
		{"sctp", "[::ffff:0.0.0.0]:9", nil, 9, ""},
		{"sctp4", "0.0.0.0:0", nil, 0, ""},
		{"sctp6", "[::]:0", nil, 0, ""},
		{"sctp", "192.0.2.1:0", []string{"192.0.2.1"}, 0, ""},
		{"sctp", "192.0.2.1,[2001:db8::1]:65535", []string{"192.0.2.1", "2001:db8::1"}, 65535, ""},
		{"sctp", "192.0.2.1/192.0.2.2:7", []string{"192.0.2.1", "192.0.2.2"}, 7, ""},
		{"sctp", "localhost,example.com:0", []string{"localhost", "example.com"}, 0, ""},

		{"sctp", "", nil, 0, "missing address"},
		{"sctp", "192.0.2.1", nil, 0, "missing port"},
		{"sctp", "[::1]", nil, 0, "missing port"},
		{"sctp", ":65536", nil, 0, "invalid port"},
		{"sctp", ":-1", nil, 0, "invalid port"},
		{"sctp", ":http", nil, 0, "invalid port"},
		{"sctp", "192.0.2.1,:0", nil, 0, "empty host"},
		{"sctp", "0.0.0.0,192.0.2.1:0", nil, 0, "unspecified address must be the only host"},
		{"sctp", "192.0.2.1,[::]:0", nil, 0, "unspecified address must be the only host"},
		{"sctp4", "[::]:0", nil, 0, "no suitable address"},
		{"sctp6", "0.0.0.0:0", nil, 0, "no suitable address"},
		{"sctp6", "192.0.2.1:0", nil, 0, "no suitable address"},
		{"sctp", ":::0", nil, 0, "brackets"},
		{"sctp", "2001:db8::1:0", nil, 0, "brackets"},
		{"sctp", "224.0.0.1:0", nil, 0, "multicast"},
		{"sctp", "bad_host!:0", nil, 0, "invalid host name"},
		{"sctp", "a b:0", nil, 0, "whitespace"},
		{"sctp", "[::%lo]:0", nil, 0, "unspecified address cannot have a zone"},
		{"sctp6", "[::%1]:0", nil, 0, "unspecified address cannot have a zone"},
	}
	for _, tt := range tests {
		t.Run(tt.network+" "+tt.address, func(t *testing.T) {
			hp, err := parseListenAddr(tt.network, tt.address)
			if tt.err != "" {
				var ae *net.AddrError
				require.ErrorAs(t, err, &ae)
				require.Contains(t, ae.Err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.hosts, hp.hosts)
			require.Equal(t, tt.port, hp.port)
		})
	}

	for _, network := range []string{"", "tcp", "udp", "sctp7", "SCTP"} {
		_, err := parseListenAddr(network, ":0")
		var unk net.UnknownNetworkError
		require.ErrorAs(t, err, &unk, network)
	}
}

// listenT listens with lc (nil: a zero ListenConfig) and closes the
// listener at cleanup.
func listenT(t testing.TB, lc *ListenConfig, network, address string) *Listener {
	t.Helper()
	if lc == nil {
		lc = &ListenConfig{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l, err := lc.ListenSCTP(ctx, network, address)
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	return l
}

type acceptResult struct {
	c   *Conn
	err error
}

// acceptAsync runs one AcceptSCTP in a goroutine.
func acceptAsync(l *Listener) <-chan acceptResult {
	ch := make(chan acceptResult, 1)
	go func() {
		c, err := l.AcceptSCTP()
		ch <- acceptResult{c, err}
	}()
	return ch
}

// dialT dials with d (nil: a zero Dialer) under a 10 s limit and closes
// the connection at cleanup.
func dialT(t testing.TB, d *Dialer, network, address string) *Conn {
	t.Helper()
	if d == nil {
		d = &Dialer{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := d.DialSCTP(ctx, network, address)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// acceptT waits for the result of acceptAsync and closes the connection
// at cleanup.
func acceptT(t testing.TB, ch <-chan acceptResult) *Conn {
	t.Helper()
	select {
	case r := <-ch:
		require.NoError(t, r.err)
		t.Cleanup(func() { r.c.Close() })
		return r.c
	case <-time.After(10 * time.Second):
		t.Fatal("Accept did not return")
		return nil
	}
}

// pipe dials l at address and returns both ends.
func pipe(t testing.TB, l *Listener, d *Dialer, network, address string) (dialed, accepted *Conn) {
	t.Helper()
	ch := acceptAsync(l)
	dialed = dialT(t, d, network, address)
	return dialed, acceptT(t, ch)
}

// roundTrip sends one message each way.
func roundTrip(t testing.TB, a, b net.Conn) {
	t.Helper()
	require.NoError(t, a.SetDeadline(time.Now().Add(10*time.Second)))
	require.NoError(t, b.SetDeadline(time.Now().Add(10*time.Second)))
	buf := make([]byte, 16)
	_, err := a.Write([]byte("ping"))
	require.NoError(t, err)
	n, err := io.ReadAtLeast(b, buf, 4)
	require.NoError(t, err)
	require.Equal(t, "ping", string(buf[:n]))
	_, err = b.Write([]byte("pong"))
	require.NoError(t, err)
	n, err = io.ReadAtLeast(a, buf, 4)
	require.NoError(t, err)
	require.Equal(t, "pong", string(buf[:n]))
}

// ipStrings returns the IPs of a, a *sctp.SCTPAddr, in text form (IPv4
// unmapped) without zones: the kernel's SCTP address lists put the
// interface as scope id on every IPv6 address, global ones included.
// noGlobalZones asserts where that must not show.
func ipStrings(t testing.TB, a net.Addr) (*sctp.SCTPAddr, []string) {
	t.Helper()
	sa, ok := a.(*sctp.SCTPAddr)
	require.True(t, ok, "got %T, want *sctp.SCTPAddr", a)
	var got []string
	for _, ip := range sa.IPAddrs {
		got = append(got, ip.IP.String())
	}
	return sa, got
}

// requireIPs asserts that a is a *sctp.SCTPAddr with port (unless 0) and
// exactly the IPs want, in any order.
func requireIPs(t testing.TB, a net.Addr, port int, want ...string) {
	t.Helper()
	sa, got := ipStrings(t, a)
	if port != 0 {
		require.Equal(t, port, sa.Port, sa.String())
	}
	require.ElementsMatch(t, want, got, sa.String())
}

// containsIPs asserts that a lists at least the IPs want.
func containsIPs(t testing.TB, a net.Addr, want ...string) {
	t.Helper()
	sa, got := ipStrings(t, a)
	require.Subset(t, got, want, sa.String())
}

// noGlobalZones asserts that only link-local addresses of a carry a zone.
func noGlobalZones(t testing.TB, a net.Addr) {
	t.Helper()
	sa := a.(*sctp.SCTPAddr)
	for _, ip := range sa.IPAddrs {
		if !ip.IP.IsLinkLocalUnicast() {
			require.Empty(t, ip.Zone, sa.String())
		}
	}
}

func listenerPort(t testing.TB, l *Listener) int {
	t.Helper()
	sa, ok := l.Addr().(*sctp.SCTPAddr)
	require.True(t, ok)
	require.NotZero(t, sa.Port)
	return sa.Port
}

// sctpGetsockopt reads an SCTP socket option of c into buf.
func sctpGetsockopt(t testing.TB, c syscall.Conn, opt int, buf []byte) {
	t.Helper()
	rc, err := c.SyscallConn()
	require.NoError(t, err)
	var err2 error
	require.NoError(t, rc.Control(func(fd uintptr) { err2 = testGetsockopt(fd, 132 /* SOL_SCTP */, opt, buf) }))
	require.NoError(t, err2)
}

// streams reads sstat_instrms and sstat_outstrms from SCTP_STATUS.
func streams(t testing.TB, c *Conn) (in, out uint16) {
	t.Helper()
	buf := make([]byte, 176)
	binary.NativeEndian.PutUint32(buf, uint32(c.AssocID()))
	sctpGetsockopt(t, c, 14 /* SCTP_STATUS */, buf)
	return binary.NativeEndian.Uint16(buf[16:]), binary.NativeEndian.Uint16(buf[18:])
}

// heartbeat reads spp_hbinterval and spp_flags of the association from
// SCTP_PEER_ADDR_PARAMS (packed struct sctp_paddrparams).
func heartbeat(t testing.TB, c *Conn) (intervalMS, flags uint32) {
	t.Helper()
	buf := make([]byte, 156)
	binary.NativeEndian.PutUint32(buf, uint32(c.AssocID()))
	sctpGetsockopt(t, c, 9 /* SCTP_PEER_ADDR_PARAMS */, buf)
	return binary.NativeEndian.Uint32(buf[132:]), binary.NativeEndian.Uint32(buf[146:])
}

// TestListenNetTestConn checks net.Conn conformance of a dialed and an
// accepted association over loopback.
func TestListenNetTestConn(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	nettest.TestConn(t, func() (c1, c2 net.Conn, stop func(), err error) {
		l, err := (&ListenConfig{}).ListenSCTP(context.Background(), "sctp4", "127.0.0.1:0")
		if err != nil {
			return nil, nil, nil, err
		}
		ch := acceptAsync(l)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		d, err := (&Dialer{}).DialSCTP(ctx, "sctp4", l.Addr().String())
		if err != nil {
			l.Close()
			return nil, nil, nil, err
		}
		r := <-ch
		if r.err != nil {
			d.Close()
			l.Close()
			return nil, nil, nil, r.err
		}
		stop = func() {
			d.Close()
			r.c.Close()
			l.Close()
		}
		return d, r.c, stop, nil
	})
}

// TestListenMultiAddr listens on two addresses with a kernel-chosen port:
// Addr lists both, and a multi-homed dial reaches them.
func TestListenMultiAddr(t *testing.T) {
	requireGuest(t)
	checkNoLeaks(t)
	l := listenT(t, nil, "sctp", hostPortList(0, vmtest.LocalIPv4A, vmtest.LocalIPv4B))
	port := listenerPort(t, l)
	requireIPs(t, l.Addr(), port, vmtest.LocalIPv4A, vmtest.LocalIPv4B)

	c, ac := pipe(t, l, nil, "sctp", hostPortList(port, vmtest.LocalIPv4A, vmtest.LocalIPv4B))
	requireIPs(t, c.RemoteAddr(), port, vmtest.LocalIPv4A, vmtest.LocalIPv4B)
	requireIPs(t, ac.LocalAddr(), port, vmtest.LocalIPv4A, vmtest.LocalIPv4B)
	// The dialer bound the wildcard: the peer sees its global IPv4
	// addresses, on the dialer's port.
	la := c.LocalAddr().(*sctp.SCTPAddr)
	ra, ok := ac.RemoteAddr().(*sctp.SCTPAddr)
	require.True(t, ok, "%T", ac.RemoteAddr())
	require.Equal(t, la.Port, ra.Port)
	containsIPs(t, ra, vmtest.LocalIPv4A)
	require.NotZero(t, ac.AssocID())
	roundTrip(t, c, ac)
}

// TestListenAddresses covers the address forms: the wildcard per network,
// mixed families, names, a fixed port. Each case lists addresses that must
// be reachable and some that must not.
func TestListenAddresses(t *testing.T) {
	requireGuest(t)
	tests := []struct {
		name, network, address string
		addrHas                []string // Addr must list at least these
		addrExact              bool     // and nothing else
		reach, refuse          []string // dial targets ("sctp" network)
	}{
		{
			name: "dual-stack wildcard", network: "sctp", address: ":0",
			addrHas: []string{"127.0.0.1", vmtest.LocalIPv4A, vmtest.LocalIPv4B, "::1", vmtest.LocalIPv6A},
			reach:   []string{"127.0.0.1", vmtest.LocalIPv4B, "::1", vmtest.LocalIPv6B},
		},
		{
			name: "IPv4 unspecified on sctp is dual-stack", network: "sctp", address: "0.0.0.0:0",
			addrHas: []string{"127.0.0.1", "::1"},
			reach:   []string{"127.0.0.1", "::1"},
		},
		{
			name: "IPv4 wildcard", network: "sctp4", address: "0.0.0.0:0",
			addrHas: []string{"127.0.0.1", vmtest.LocalIPv4A},
			reach:   []string{"127.0.0.1", vmtest.LocalIPv4A},
			refuse:  []string{"::1"},
		},
		{
			name: "IPv6-only wildcard", network: "sctp6", address: "[::]:0",
			addrHas: []string{"::1", vmtest.LocalIPv6A},
			reach:   []string{"::1", vmtest.LocalIPv6A},
			refuse:  []string{"127.0.0.1"},
		},
		{
			name: "mixed families", network: "sctp", address: hostPortList(0, vmtest.LocalIPv4A, vmtest.LocalIPv6A),
			addrHas: []string{vmtest.LocalIPv4A, vmtest.LocalIPv6A}, addrExact: true,
			reach:  []string{vmtest.LocalIPv4A, vmtest.LocalIPv6A},
			refuse: []string{vmtest.LocalIPv4B, vmtest.LocalIPv6B},
		},
		{
			name: "host name with two addresses", network: "sctp", address: vmtest.HostMulti6 + ":0",
			addrHas: []string{vmtest.LocalIPv6A, vmtest.LocalIPv6B}, addrExact: true,
			reach:  []string{vmtest.LocalIPv6A, vmtest.LocalIPv6B},
			refuse: []string{vmtest.LocalIPv4A},
		},
		{
			name: "fixed port", network: "sctp4", address: vmtest.LocalIPv4B + ":7777",
			addrHas: []string{vmtest.LocalIPv4B}, addrExact: true,
			reach:  []string{vmtest.LocalIPv4B},
			refuse: []string{vmtest.LocalIPv4A},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkNoLeaks(t)
			l := listenT(t, nil, tt.network, tt.address)
			port := listenerPort(t, l)
			if tt.addrExact {
				requireIPs(t, l.Addr(), port, tt.addrHas...)
			} else {
				containsIPs(t, l.Addr(), tt.addrHas...)
			}
			noGlobalZones(t, l.Addr())
			for _, ip := range tt.reach {
				c, ac := pipe(t, l, nil, "sctp", hostPortList(port, ip))
				roundTrip(t, c, ac)
				c.Close()
				ac.Close()
			}
			for _, ip := range tt.refuse {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				c, err := (&Dialer{}).DialSCTP(ctx, "sctp", hostPortList(port, ip))
				cancel()
				if c != nil {
					c.Close()
				}
				require.ErrorIs(t, err, syscall.ECONNREFUSED, ip)
			}
		})
	}
}

// TestListenConfigOptions checks that every ListenConfig field reaches
// the kernel.
func TestListenConfigOptions(t *testing.T) {
	requireSCTP(t)

	t.Run("Control", func(t *testing.T) {
		checkNoLeaks(t)
		var gotNet, gotAddr string
		var v6only int
		lc := &ListenConfig{Control: func(network, address string, c syscall.RawConn) error {
			gotNet, gotAddr = network, address
			return c.Control(func(fd uintptr) {
				v6only, _ = testSockoptInt(fd, optIPv6Only)
			})
		}}
		listenT(t, lc, "sctp", ":0")
		require.Equal(t, "sctp6", gotNet)
		require.Equal(t, "[::]:0", gotAddr)
		require.Equal(t, 0, v6only, "dual-stack wildcard")

		listenT(t, lc, "sctp", "127.0.0.1:0")
		require.Equal(t, "sctp4", gotNet)
		require.Equal(t, "127.0.0.1:0", gotAddr)

		hookErr := errors.New("no thanks")
		lc.Control = func(string, string, syscall.RawConn) error { return hookErr }
		l, err := lc.Listen(context.Background(), "sctp", "127.0.0.1:0")
		require.Nil(t, l)
		require.ErrorIs(t, err, hookErr)
		var oe *net.OpError
		require.ErrorAs(t, err, &oe)
		require.Equal(t, "listen", oe.Op)
	})

	t.Run("KeepAlive", func(t *testing.T) {
		tests := []struct {
			keepAlive    time.Duration
			wantInterval uint32 // 0: do not check
			wantFlag     uint32 // SPP_HB_ENABLE or SPP_HB_DISABLE
		}{
			{0, 30000, 1},
			{5 * time.Second, 5000, 1},
			{1500 * time.Millisecond, 1500, 1},
			{-1, 0, 2},
		}
		for _, tt := range tests {
			t.Run(tt.keepAlive.String(), func(t *testing.T) {
				checkNoLeaks(t)
				l := listenT(t, &ListenConfig{KeepAlive: tt.keepAlive}, "sctp4", "127.0.0.1:0")
				_, ac := pipe(t, l, nil, "sctp4", l.Addr().String())
				interval, flags := heartbeat(t, ac)
				if tt.wantInterval != 0 {
					require.Equal(t, tt.wantInterval, interval)
				}
				require.Equal(t, tt.wantFlag, flags&3, "flags %#x", flags)
			})
		}
	})

	t.Run("InitMsg", func(t *testing.T) {
		checkNoLeaks(t)
		l := listenT(t, &ListenConfig{InitMsg: sctp.InitMsg{NumOstreams: 3, MaxInstreams: 4}}, "sctp4", "127.0.0.1:0")
		c, ac := pipe(t, l, &Dialer{InitMsg: sctp.InitMsg{NumOstreams: 7, MaxInstreams: 9}}, "sctp4", l.Addr().String())
		in, out := streams(t, ac)
		require.Equal(t, [2]uint16{4, 3}, [2]uint16{in, out}, "accepted side: in = min(7, 4), out = min(3, 9)")
		in, out = streams(t, c)
		require.Equal(t, [2]uint16{3, 4}, [2]uint16{in, out}, "dialed side")
	})

	t.Run("Backlog", func(t *testing.T) {
		// Nobody accepts: the kernel completes associations into the
		// queue until it is full (more than Backlog entries, see
		// sk_acceptq_is_full), then answers INITs with ABORT.
		tests := []struct {
			backlog     int
			wantRefusal bool
		}{
			{0, false}, // SOMAXCONN, not listen(fd, 0)
			{-1, false},
			{1, true},
		}
		for _, tt := range tests {
			t.Run(strconv.Itoa(tt.backlog), func(t *testing.T) {
				checkNoLeaks(t)
				l := listenT(t, &ListenConfig{Backlog: tt.backlog}, "sctp4", "127.0.0.1:0")
				var refused bool
				for range 4 {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					c, err := (&Dialer{}).DialSCTP(ctx, "sctp4", l.Addr().String())
					cancel()
					if err != nil {
						require.ErrorIs(t, err, syscall.ECONNREFUSED)
						refused = true
						break
					}
					defer c.Close()
				}
				require.Equal(t, tt.wantRefusal, refused)
			})
		}
	})
}

// TestAcceptUnblock covers what ends a pending Accept: Close and deadlines.
func TestAcceptUnblock(t *testing.T) {
	requireSCTP(t)
	tests := []struct {
		name    string
		act     func(l *Listener) error
		wantErr error
		timeout bool
	}{
		{"Close", func(l *Listener) error { return l.Close() }, net.ErrClosed, false},
		{"SetDeadline", func(l *Listener) error { return l.SetDeadline(time.Now().Add(50 * time.Millisecond)) }, os.ErrDeadlineExceeded, true},
		{"past SetDeadline", func(l *Listener) error { return l.SetDeadline(time.Unix(1, 0)) }, os.ErrDeadlineExceeded, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkNoLeaks(t)
			l := listenT(t, nil, "sctp4", "127.0.0.1:0")
			ch := acceptAsync(l)
			time.Sleep(50 * time.Millisecond) // let Accept park in the poller
			start := time.Now()
			require.NoError(t, tt.act(l))
			var r acceptResult
			select {
			case r = <-ch:
			case <-time.After(5 * time.Second):
				t.Fatal("Accept still blocked")
			}
			require.Less(t, time.Since(start), 2*time.Second)
			require.Nil(t, r.c)
			require.ErrorIs(t, r.err, tt.wantErr)
			var oe *net.OpError
			require.ErrorAs(t, r.err, &oe)
			require.Equal(t, "accept", oe.Op)
			require.Equal(t, "sctp4", oe.Net)
			require.Equal(t, tt.timeout, oe.Timeout())

			// Accept after the fact fails the same way at once.
			_, err := l.Accept()
			require.ErrorIs(t, err, tt.wantErr)
		})
	}

	t.Run("deadline cleared", func(t *testing.T) {
		checkNoLeaks(t)
		l := listenT(t, nil, "sctp4", "127.0.0.1:0")
		require.NoError(t, l.SetDeadline(time.Unix(1, 0)))
		_, err := l.Accept()
		require.ErrorIs(t, err, os.ErrDeadlineExceeded)
		require.NoError(t, l.SetDeadline(time.Time{}))
		c, ac := pipe(t, l, nil, "sctp4", l.Addr().String())
		roundTrip(t, c, ac)
	})

	t.Run("closed twice", func(t *testing.T) {
		checkNoLeaks(t)
		l := listenT(t, nil, "sctp4", "127.0.0.1:0")
		require.NoError(t, l.Close())
		require.ErrorIs(t, l.Close(), net.ErrClosed)
		_, err := l.SyscallConn()
		require.ErrorIs(t, err, net.ErrClosed)
		require.ErrorIs(t, l.SetDeadline(time.Now()), net.ErrClosed)
		_, err = l.File()
		require.ErrorIs(t, err, net.ErrClosed)
		// The bound addresses stay known.
		require.NotZero(t, l.Addr().(*sctp.SCTPAddr).Port)
	})
}

// TestAcceptCloseRace closes listeners while Accept runs in several
// goroutines; meant for -race.
func TestAcceptCloseRace(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	for range 20 {
		l, err := (&ListenConfig{}).ListenSCTP(context.Background(), "sctp4", "127.0.0.1:0")
		require.NoError(t, err)
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Go(func() {
				c, err := l.Accept()
				if c != nil {
					c.Close()
				}
				errs <- err
			})
		}
		wg.Go(func() { l.Addr() })
		wg.Go(func() { l.SetDeadline(time.Now().Add(time.Hour)) })
		require.NoError(t, l.Close())
		wg.Wait()
		close(errs)
		for err := range errs {
			require.ErrorIs(t, err, net.ErrClosed)
		}
	}
}

// TestListenerFileAndSyscallConn checks the descriptor accessors.
func TestListenerFileAndSyscallConn(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	l := listenT(t, nil, "sctp4", "127.0.0.1:0")
	rc, err := l.SyscallConn()
	require.NoError(t, err)
	var accepting int
	require.NoError(t, rc.Control(func(fd uintptr) {
		accepting, _ = testSockoptInt(fd, optAcceptConn)
	}))
	require.Equal(t, 1, accepting)

	f, err := l.File()
	require.NoError(t, err)
	var lfd uintptr
	require.NoError(t, rc.Control(func(fd uintptr) { lfd = fd }))
	require.NotEqual(t, lfd, f.Fd())
	require.NoError(t, f.Close())
	// Closing the copy leaves the listener working.
	c, ac := pipe(t, l, nil, "sctp4", l.Addr().String())
	roundTrip(t, c, ac)
}

// TestListenErrors covers input that must fail, each with a typed error
// inside a *net.OpError and no descriptor left behind.
func TestListenErrors(t *testing.T) {
	requireGuest(t)
	busy := listenT(t, nil, "sctp4", "127.0.0.1:0")
	busyPort := listenerPort(t, busy)

	tests := []struct {
		name, network, address string
		check                  func(t *testing.T, err error)
	}{
		{"unknown network", "tcp", ":0", isErr[net.UnknownNetworkError]},
		{"empty network", "", ":0", isErr[net.UnknownNetworkError]},
		{"missing port", "sctp", "127.0.0.1", isErr[*net.AddrError]},
		{"bad port", "sctp", "127.0.0.1:99999", isErr[*net.AddrError]},
		{"wildcard with a host", "sctp", "0.0.0.0,127.0.0.1:0", isErr[*net.AddrError]},
		{"family mismatch", "sctp4", "[::1]:0", isErr[*net.AddrError]},
		{"unknown host", "sctp", "nowhere.invalid:0", isErr[*net.DNSError]},
		{"not a local address", "sctp", vmtest.SilentIPv4 + ":0", syscallErr("bind", syscall.EADDRNOTAVAIL)},
		{"second address not local", "sctp", hostPortList(0, vmtest.LocalIPv4A, vmtest.SilentIPv4), syscallErr("sctp_bindx", syscall.EADDRNOTAVAIL)},
		{"port in use", "sctp4", hostPortList(busyPort, "127.0.0.1"), syscallErr("bind", syscall.EADDRINUSE)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkNoLeaks(t)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			l, err := (&ListenConfig{}).Listen(ctx, tt.network, tt.address)
			require.Nil(t, l)
			require.Error(t, err)
			var oe *net.OpError
			require.ErrorAs(t, err, &oe)
			require.Equal(t, "listen", oe.Op)
			require.Equal(t, tt.network, oe.Net)
			tt.check(t, oe.Err)
		})
	}

	t.Run("canceled context", func(t *testing.T) {
		checkNoLeaks(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := (&ListenConfig{}).Listen(ctx, "sctp", vmtest.HostMulti4+":0")
		require.ErrorIs(t, err, context.Canceled)
	})
}

func isErr[E error](t *testing.T, err error) {
	t.Helper()
	var e E
	assert.ErrorAs(t, err, &e)
}

func syscallErr(call string, errno syscall.Errno) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var se *os.SyscallError
		if assert.ErrorAs(t, err, &se) {
			assert.Equal(t, call, se.Syscall)
		}
		assert.ErrorIs(t, err, errno)
	}
}

// TestListenPackageFunc checks the zero-config entry point.
func TestListenPackageFunc(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	nl, err := Listen("sctp", "127.0.0.1:0")
	require.NoError(t, err)
	defer nl.Close()
	l, ok := nl.(*Listener)
	require.True(t, ok, "%T", nl)
	c, ac := pipe(t, l, nil, "sctp", nl.Addr().String())
	roundTrip(t, c, ac)

	// Accepted associations send without bundling delays, as dialed ones.
	rc, err := ac.SyscallConn()
	require.NoError(t, err)
	nodelay := -1
	require.NoError(t, rc.Control(func(fd uintptr) {
		nodelay, _ = testSockoptInt(fd, optSCTPNoDelay)
	}))
	require.Equal(t, 1, nodelay)
}

// TestListenPlan: the socket family and IPV6_V6ONLY per network and
// addresses. As package net does for "tcp6", every "sctp6" socket is
// IPv6-only, not only the wildcard one.
func TestListenPlan(t *testing.T) {
	tests := []struct {
		network string
		addrs   []string
		want    []string // the addresses to bind
		family6 bool
		v6only  bool
	}{
		{"sctp", nil, []string{"::"}, true, false},
		{"sctp4", nil, []string{"0.0.0.0"}, false, false},
		{"sctp6", nil, []string{"::"}, true, true},
		{"sctp", []string{"127.0.0.1"}, []string{"127.0.0.1"}, false, false},
		{"sctp4", []string{"192.0.2.250", "192.0.2.251"}, []string{"192.0.2.250", "192.0.2.251"}, false, false},
		{"sctp", []string{"2001:db8:beef::250"}, []string{"2001:db8:beef::250"}, true, false},
		{"sctp", []string{"192.0.2.250", "2001:db8:beef::250"}, []string{"192.0.2.250", "2001:db8:beef::250"}, true, false},
		{"sctp6", []string{"2001:db8:beef::250"}, []string{"2001:db8:beef::250"}, true, true},
		{"sctp6", []string{"::1", "fe80::1%lo"}, []string{"::1", "fe80::1%lo"}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.network+" "+strings.Join(tt.addrs, ","), func(t *testing.T) {
			p := &listenPlan{network: tt.network}
			for _, a := range tt.addrs {
				p.addrs = append(p.addrs, netip.MustParseAddr(a))
			}
			p.plan()
			var got []string
			for _, a := range p.addrs {
				got = append(got, a.String())
			}
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.family6, p.family6, "family6")
			require.Equal(t, tt.v6only, p.v6only, "v6only")
		})
	}
}

// TestListenBacklog: what listen(2) is given. The kernel takes an int, so
// larger values must saturate rather than wrap (1<<32 would become 0,
// which on SCTP means "stop listening").
func TestListenBacklog(t *testing.T) {
	tests := []struct {
		backlog int64
		want    int
	}{
		{0, defaultBacklog},
		{-1, defaultBacklog},
		{math.MinInt32, defaultBacklog},
		{1, 1},
		{128, 128},
		{math.MaxInt32, math.MaxInt32},
		{math.MaxInt32 + 1, math.MaxInt32},
		{1 << 32, math.MaxInt32},
		{1<<32 + 5, math.MaxInt32},
		{math.MaxInt64, math.MaxInt32},
	}
	for _, tt := range tests {
		if int64(int(tt.backlog)) != tt.backlog {
			continue // does not fit this platform's int
		}
		require.Equal(t, tt.want, listenBacklog(int(tt.backlog)), "Backlog %d", tt.backlog)
	}
}
