package scenarios_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/sctpdial/sctpdial"
	"github.com/sctpdial/sctpdial/internal/netlab"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// requireLab is netlab.Require: it fails rather than skips in the guest.
var requireLab = netlab.Require

// streams keeps handshakes cheap under TCG.
var streams = sctp.InitMsg{NumOstreams: 4, MaxInstreams: 4}

// bigBuffers gives a socket 1 MiB buffers each way (the kernel doubles
// them): with the guest's default 16 KiB send buffer, a stream moves one
// message per SACK and 16 MiB takes most of a minute.
func bigBuffers(_, _ string, rc syscall.RawConn) error {
	var err error
	cerr := rc.Control(func(fd uintptr) {
		for _, opt := range []int{unix.SO_SNDBUF, unix.SO_RCVBUF} {
			if err == nil {
				err = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, opt, 1<<20)
			}
		}
	})
	return errors.Join(cerr, err)
}

// join formats addresses as a dial or listen address list.
func join(port int, addrs ...netip.Addr) string {
	hosts := make([]string, len(addrs))
	for i, a := range addrs {
		hosts[i] = a.String()
		if a.Is6() {
			hosts[i] = "[" + hosts[i] + "]"
		}
	}
	return strings.Join(hosts, ",") + ":" + strconv.Itoa(port)
}

// listen starts a listener in the server namespace on addrs.
func listen(t *testing.T, lab *netlab.Lab, lc sctpdial.ListenConfig, addrs ...netip.Addr) *sctpdial.Listener {
	t.Helper()
	lc.InitMsg = streams
	lc.Control = bigBuffers
	var ln *sctpdial.Listener
	require.NoError(t, lab.Server.Do(func() (err error) {
		ln, err = lc.ListenSCTP(context.Background(), "sctp", join(0, addrs...))
		return err
	}))
	t.Cleanup(func() { ln.Close() })
	return ln
}

// port returns a listener's port.
func port(ln *sctpdial.Listener) int { return ln.Addr().(*sctp.SCTPAddr).Port }

// dial dials address from the client namespace.
func dial(lab *netlab.Lab, d sctpdial.Dialer, address string) (*sctpdial.Conn, error) {
	d.InitMsg = streams
	d.Control = bigBuffers
	var c *sctpdial.Conn
	err := lab.Client.Do(func() (err error) {
		c, err = d.DialSCTP(context.Background(), "sctp", address)
		return err
	})
	return c, err
}

// pair listens on both server addresses with lc, dials them (path 0
// first) with d and accepts; everything is closed when the test ends.
func pair(t *testing.T, lab *netlab.Lab, d sctpdial.Dialer, lc sctpdial.ListenConfig) (c, peer *sctpdial.Conn) {
	t.Helper()
	ln := listen(t, lab, lc, lab.ServerAddrs()...)
	if d.Timeout == 0 {
		d.Timeout = 10 * time.Second
	}
	c, err := dial(lab, d, join(port(ln), lab.ServerAddrs()...))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	peer, err = ln.AcceptSCTP()
	require.NoError(t, err)
	t.Cleanup(func() { peer.Close() })
	return c, peer
}

// event is a notification with the time it arrived.
type event struct {
	at time.Time
	n  sctpdial.Notification
}

// recorder keeps the notifications of a Conn (delivered while it reads).
type recorder struct {
	mu  sync.Mutex
	got []event
}

func record(t *testing.T, c *sctpdial.Conn) *recorder {
	t.Helper()
	r := new(recorder)
	require.NoError(t, c.SetNotificationHandler(sctpdial.EventPeerAddrChange|sctpdial.EventAssocChange, func(n sctpdial.Notification) {
		r.mu.Lock()
		r.got = append(r.got, event{time.Now(), n})
		r.mu.Unlock()
	}))
	return r
}

// addrChange returns when the first PEER_ADDR_CHANGE to state for ip
// arrived after since, if one did.
func (r *recorder) addrChange(ip netip.Addr, state sctpdial.PeerAddrState, since time.Time) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.got {
		if pc, ok := e.n.(sctpdial.PeerAddrChange); ok && pc.State == state && !e.at.Before(since) {
			if got, _ := netip.AddrFromSlice(pc.Addr.IP); got.Unmap() == ip {
				return e.at, true
			}
		}
	}
	return time.Time{}, false
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, e := range r.got {
		b.WriteString(e.at.Format("15:04:05.000 "))
		switch n := e.n.(type) {
		case sctpdial.PeerAddrChange:
			b.WriteString(n.Addr.IP.String() + " " + n.State.String())
		case sctpdial.AssocChange:
			b.WriteString("association " + n.State.String())
		}
		b.WriteString("; ")
	}
	return b.String()
}

// primary returns the IP of c's primary path.
func primary(t *testing.T, c *sctpdial.Conn) netip.Addr {
	t.Helper()
	st, err := c.Status()
	require.NoError(t, err)
	ip, _ := netip.AddrFromSlice(st.Primary.Addr.IP)
	return ip.Unmap()
}

// pathState returns the state of c's path to ip.
func pathState(t *testing.T, c *sctpdial.Conn, ip netip.Addr) sctpdial.PathState {
	t.Helper()
	ps, err := c.Paths()
	require.NoError(t, err)
	for _, p := range ps {
		if got, _ := netip.AddrFromSlice(p.Addr.IP); got.Unmap() == ip {
			return p.State
		}
	}
	t.Fatalf("no path to %v in %+v", ip, ps)
	return 0
}

// addrsOf returns the IPs of an *sctp.SCTPAddr.
func addrsOf(a net.Addr) []netip.Addr {
	sa, _ := a.(*sctp.SCTPAddr)
	if sa == nil {
		return nil
	}
	var ips []netip.Addr
	for _, ia := range sa.IPAddrs {
		ip, _ := netip.AddrFromSlice(ia.IP)
		ips = append(ips, ip.Unmap())
	}
	return ips
}
