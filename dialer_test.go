package sctpdial

import (
	"context"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/sctpdial/sctpdial/internal/vmtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listenLocal starts one of our listeners on ips (port chosen by the
// kernel), with few streams to keep handshakes cheap under emulation, and
// accepts until the test ends. Accepted conns arrive on the channel.
func listenLocal(t *testing.T, ips ...string) (<-chan *Conn, int) {
	t.Helper()
	lc := ListenConfig{InitMsg: peerInitMsg}
	ln, err := lc.ListenSCTP(context.Background(), "sctp", hostPortList(0, ips...))
	require.NoError(t, err)
	ch := make(chan *Conn, 64)
	done := make(chan []*Conn)
	go func() {
		var all []*Conn
		defer func() { done <- all }()
		for {
			c, err := ln.AcceptSCTP()
			if err != nil {
				return // closed at cleanup
			}
			all = append(all, c)
			select {
			case ch <- c:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		for _, c := range <-done {
			c.Close()
		}
	})
	return ch, ln.Addr().(*sctp.SCTPAddr).Port
}

func dialCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// peerIPs lists a conn's peer addresses as strings.
func addrIPs(a net.Addr) []string {
	var ips []string
	for _, ip := range a.(*sctp.SCTPAddr).IPAddrs {
		ips = append(ips, ip.IP.String())
	}
	return ips
}

func TestDialSuccess(t *testing.T) {
	requireGuest(t)
	tests := []struct {
		name     string
		network  string
		listen   []string
		dial     func(port int) string
		wantPeer []string
	}{
		{"v4 two addresses", "sctp", []string{vmtest.LocalIPv4A, vmtest.LocalIPv4B},
			func(p int) string { return hostPortList(p, vmtest.LocalIPv4A, vmtest.LocalIPv4B) },
			[]string{vmtest.LocalIPv4A, vmtest.LocalIPv4B}},
		{"v6 two addresses", "sctp", []string{vmtest.LocalIPv6A, vmtest.LocalIPv6B},
			func(p int) string { return hostPortList(p, vmtest.LocalIPv6A, vmtest.LocalIPv6B) },
			[]string{vmtest.LocalIPv6A, vmtest.LocalIPv6B}},
		{"mixed families", "sctp", []string{vmtest.LocalIPv4A, vmtest.LocalIPv6A},
			func(p int) string { return hostPortList(p, vmtest.LocalIPv4A, vmtest.LocalIPv6A) },
			[]string{vmtest.LocalIPv4A, vmtest.LocalIPv6A}},
		{"every record of a name", "sctp", []string{vmtest.LocalIPv4A, vmtest.LocalIPv4B},
			func(p int) string { return hostPortList(p, vmtest.HostMulti4) },
			[]string{vmtest.LocalIPv4A, vmtest.LocalIPv4B}},
		{"two names, slash separator", "sctp", []string{vmtest.LocalIPv4A, vmtest.LocalIPv6A},
			func(p int) string {
				return strings.Replace(hostPortList(p, vmtest.HostMulti4, vmtest.HostMulti6), ",", "/", 1)
			},
			[]string{vmtest.LocalIPv4A, vmtest.LocalIPv6A}},
		{"sctp4 keeps IPv4 records", "sctp4", []string{vmtest.LocalIPv4A, vmtest.LocalIPv6A},
			func(p int) string { return hostPortList(p, vmtest.HostMixed) },
			[]string{vmtest.LocalIPv4A}},
		{"sctp6 keeps IPv6 records", "sctp6", []string{vmtest.LocalIPv4A, vmtest.LocalIPv6A},
			func(p int) string { return hostPortList(p, vmtest.HostMixed) },
			[]string{vmtest.LocalIPv6A}},
		{"loopback", "sctp", []string{"127.0.0.1"},
			func(p int) string { return hostPortList(p, "127.0.0.1") },
			[]string{"127.0.0.1"}},
		{"local system", "sctp", []string{"127.0.0.1"},
			func(p int) string { return hostPortList(p) },
			[]string{"127.0.0.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkNoLeaks(t)
			accepted, port := listenLocal(t, tt.listen...)
			var d Dialer
			c, err := d.DialContext(dialCtx(t), tt.network, tt.dial(port))
			require.NoError(t, err)
			defer c.Close()
			require.IsType(t, &Conn{}, c)
			peer := <-accepted
			require.ElementsMatch(t, tt.wantPeer, addrIPs(c.RemoteAddr()))
			require.Equal(t, port, c.RemoteAddr().(*sctp.SCTPAddr).Port)
			// The first address given is the primary path.
			require.Equal(t, tt.wantPeer[0], addrIPs(c.RemoteAddr())[0])
			_, err = c.Write([]byte("hi"))
			require.NoError(t, err)
			buf := make([]byte, 8)
			n, err := peer.Read(buf)
			require.NoError(t, err)
			require.Equal(t, "hi", string(buf[:n]))
		})
	}
}

// setSysctl sets a guest sysctl for the duration of the test.
func setSysctl(t testing.TB, name, value string) {
	t.Helper()
	p := "/proc/sys/" + strings.ReplaceAll(name, ".", "/")
	old, err := os.ReadFile(p)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, []byte(value), 0))
	t.Cleanup(func() { os.WriteFile(p, old, 0) })
}

// TestDialFailoverFromSilentFirstAddress checks that the kernel retransmits
// the INIT to the next address when the first stays silent: one connectx,
// the kernel's path choice.
func TestDialFailoverFromSilentFirstAddress(t *testing.T) {
	requireGuest(t)
	setSysctl(t, "net.sctp.rto_initial", "300")
	for _, tt := range []struct{ name, addr string }{
		{"literals", vmtest.SilentIPv4 + "," + vmtest.LocalIPv4A},
		{"records of one name", vmtest.HostSilentFirst},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkNoLeaks(t)
			_, port := listenLocal(t, vmtest.LocalIPv4A)
			start := time.Now()
			c, err := (&Dialer{Timeout: 10 * time.Second}).DialContext(dialCtx(t), "sctp", hostPortList(port, tt.addr))
			require.NoError(t, err)
			defer c.Close()
			elapsed := time.Since(start)
			assert.GreaterOrEqual(t, elapsed, 250*time.Millisecond, "the first INIT went to the silent address")
			assert.Less(t, elapsed, 3*time.Second, "the retransmission went to the live address")
			require.Contains(t, addrIPs(c.RemoteAddr()), vmtest.LocalIPv4A)
		})
	}
}

// checkDialError asserts the net.Dialer error shape.
func checkDialError(t *testing.T, err error, network string) *net.OpError {
	t.Helper()
	require.Error(t, err)
	var oe *net.OpError
	require.ErrorAs(t, err, &oe)
	require.Equal(t, "dial", oe.Op)
	require.Equal(t, network, oe.Net)
	return oe
}

func TestDialRefused(t *testing.T) {
	requireGuest(t)
	checkNoLeaks(t)
	ln, err := Listen("sctp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*sctp.SCTPAddr).Port
	require.NoError(t, ln.Close()) // nothing listens on port now
	c, err := Dial("sctp", hostPortList(port, "127.0.0.1"))
	require.Nil(t, c)
	oe := checkDialError(t, err, "sctp")
	var se *os.SyscallError
	require.ErrorAs(t, err, &se)
	require.Equal(t, "sctp_connectx", se.Syscall)
	require.ErrorIs(t, err, syscall.ECONNREFUSED)
	require.Equal(t, port, oe.Addr.(*sctp.SCTPAddr).Port)
}

func TestDialTimeoutSilentPeer(t *testing.T) {
	requireGuest(t)
	for _, tt := range []struct {
		name string
		d    Dialer
		ctx  func() (context.Context, context.CancelFunc)
	}{
		{"Timeout", Dialer{Timeout: 300 * time.Millisecond}, nil},
		{"Deadline", Dialer{Deadline: time.Now().Add(300 * time.Millisecond)}, nil},
		{"context deadline", Dialer{Timeout: time.Minute}, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 300*time.Millisecond)
		}},
		{"DialTimeout", Dialer{}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkNoLeaks(t)
			if tt.name == "Deadline" {
				tt.d.Deadline = time.Now().Add(300 * time.Millisecond)
			}
			ctx := context.Background()
			if tt.ctx != nil {
				var cancel context.CancelFunc
				ctx, cancel = tt.ctx()
				defer cancel()
			}
			addr := hostPortList(9, vmtest.SilentIPv4, vmtest.SilentIPv6)
			start := time.Now()
			var c net.Conn
			var err error
			if tt.name == "DialTimeout" {
				c, err = DialTimeout("sctp", addr, 300*time.Millisecond)
			} else {
				c, err = tt.d.DialContext(ctx, "sctp", addr)
			}
			elapsed := time.Since(start)
			require.Nil(t, c)
			oe := checkDialError(t, err, "sctp")
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.ErrorIs(t, err, os.ErrDeadlineExceeded)
			require.True(t, oe.Timeout())
			var ne net.Error
			require.ErrorAs(t, err, &ne)
			require.True(t, ne.Timeout())
			require.GreaterOrEqual(t, elapsed, 250*time.Millisecond)
			require.Less(t, elapsed, 2*time.Second)
		})
	}
}

func TestDialCancel(t *testing.T) {
	requireGuest(t)
	silent := hostPortList(9, vmtest.SilentIPv4)
	t.Run("before", func(t *testing.T) {
		checkNoLeaks(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		c, err := (&Dialer{}).DialContext(ctx, "sctp", silent)
		require.Nil(t, c)
		checkDialError(t, err, "sctp")
		require.ErrorIs(t, err, context.Canceled)
		require.NotErrorIs(t, err, context.DeadlineExceeded)
	})
	t.Run("during", func(t *testing.T) {
		checkNoLeaks(t)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		c, err := (&Dialer{}).DialContext(ctx, "sctp", silent)
		require.Nil(t, c)
		checkDialError(t, err, "sctp")
		require.ErrorIs(t, err, context.Canceled)
		require.Less(t, time.Since(start), 2*time.Second)
	})
	t.Run("during name resolution", func(t *testing.T) {
		checkNoLeaks(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		c, err := (&Dialer{}).DialContext(ctx, "sctp", hostPortList(9, vmtest.HostSilent))
		require.Nil(t, c)
		require.ErrorIs(t, err, context.Canceled)
	})
	t.Run("racing success", func(t *testing.T) {
		checkNoLeaks(t)
		_, port := listenLocal(t, "127.0.0.1")
		var won, lost int
		for i := range 60 {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(time.Duration(i%15)*time.Millisecond/2, cancel)
			c, err := (&Dialer{}).DialContext(ctx, "sctp", hostPortList(port, "127.0.0.1"))
			if err == nil {
				require.NotNil(t, c)
				won++
				c.Close()
			} else {
				require.Nil(t, c)
				require.ErrorIs(t, err, context.Canceled)
				lost++
			}
			cancel()
		}
		t.Logf("%d dials won the race, %d lost it", won, lost)
		require.NotZero(t, lost, "cancellation never took effect")
	})
}

func TestDialLocalAddr(t *testing.T) {
	requireGuest(t)
	checkNoLeaks(t)
	accepted, port := listenLocal(t, vmtest.LocalIPv4A)
	// Both local addresses are bound with sctp_bindx before connecting, so
	// the INIT lists both and the peer has two paths back.
	local := &sctp.SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.ParseIP(vmtest.LocalIPv4B)}, {IP: net.ParseIP(vmtest.LocalIPv4A)}}}
	c, err := (&Dialer{LocalAddr: local}).DialContext(dialCtx(t), "sctp", hostPortList(port, vmtest.LocalIPv4A))
	require.NoError(t, err)
	defer c.Close()
	require.ElementsMatch(t, []string{vmtest.LocalIPv4A, vmtest.LocalIPv4B}, addrIPs(c.LocalAddr()))
	peer := <-accepted
	ra := peer.RemoteAddr().(*sctp.SCTPAddr)
	require.ElementsMatch(t, []string{vmtest.LocalIPv4A, vmtest.LocalIPv4B}, addrIPs(ra))
	require.Equal(t, c.LocalAddr().(*sctp.SCTPAddr).Port, ra.Port)
}

// TestDialGivingUpLeavesNoAssociation checks that a dial that times out or
// is cancelled leaves no association behind: the kernel stops sending INITs
// at once instead of retrying for minutes. (In COOKIE-WAIT, closing alone
// deletes the association, sctp_sf_cookie_wait_prm_shutdown; the SO_LINGER
// 0 the dial sets matters for later states, where it turns the close into
// an ABORT.)
func TestDialGivingUpLeavesNoAssociation(t *testing.T) {
	requireGuest(t)
	for _, tt := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
	}{
		{"timeout", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 200*time.Millisecond)
		}},
		{"cancel", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(200*time.Millisecond, cancel)
			return ctx, cancel
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			const peer = "203.0.113.77"
			ctx, cancel := tt.ctx()
			defer cancel()
			done := make(chan error, 1)
			go func() {
				c, err := (&Dialer{}).DialContext(ctx, "sctp", peer+":9")
				if c != nil {
					c.Close()
				}
				done <- err
			}()
			time.Sleep(100 * time.Millisecond)
			require.Contains(t, sctpAssocs(t), peer, "the pending association should be listed")
			require.Error(t, <-done)
			require.NotContains(t, sctpAssocs(t), peer, "the association must be gone once the dial gave up")
		})
	}
}

// sctpAssocs returns the kernel's association table.
func sctpAssocs(t *testing.T) string {
	b, err := os.ReadFile("/proc/net/sctp/assocs")
	require.NoError(t, err)
	return string(b)
}
