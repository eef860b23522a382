package sctpdial

import (
	"context"
	"errors"
	"net"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// loopback4 is 127.0.0.1 with port as an *sctp.SCTPAddr.
func loopback4(port int) *sctp.SCTPAddr {
	return &sctp.SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1)}}, Port: port}
}

// listenLoopback4 listens on 127.0.0.1 with a kernel-chosen port, closed
// at cleanup.
func listenLoopback4(t *testing.T) *Listener {
	t.Helper()
	ln, err := (&ListenConfig{InitMsg: peerInitMsg}).ListenSCTP(context.Background(), "sctp4", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	return ln
}

// explicitPortDial starts a loopback listener and dials it from a free
// explicit local port, returning the listener, its address, the Dialer
// (1 s timeout) and the Conn.
func explicitPortDial(t *testing.T) (*Listener, string, *Dialer, *Conn) {
	t.Helper()
	ln := listenLoopback4(t)
	addr := "127.0.0.1:" + strconv.Itoa(Port(ln.Addr()))
	d := &Dialer{InitMsg: peerInitMsg, LocalAddr: loopback4(freePort(t)), Timeout: time.Second}
	c, err := d.DialSCTP(context.Background(), "sctp4", addr)
	require.NoError(t, err)
	return ln, addr, d, c
}

// endAssoc ends a dialed association the way the test case asks.
func endAssoc(t *testing.T, how string, c *Conn) {
	t.Helper()
	switch how {
	case "abort":
		abortConn(t, c)
	case "close":
		require.NoError(t, c.Close())
	default:
		t.Fatalf("unknown end %q", how)
	}
}

// TestKernelHoldsEndedAssociation shows the kernel behaviour the dialer
// works around (portMemory): an association that ended while it waited
// in the listener's accept queue stays in the kernel's lookup table,
// CLOSED, also once accepted, until its socket is closed; meanwhile a new
// handshake from the same local port is dropped without a word (its
// COOKIE-ECHOs are discarded) and the dial runs into its deadline. One
// that ends after Accept is freed at once. The dials use an explicit local
// port, which the dialer uses as given. TCP, the contract a dialer is held
// to, lets the same redial through at once. Should a kernel stop holding such
// associations, the hanging cases fail, saying that the guard is not
// needed there.
func TestKernelHoldsEndedAssociation(t *testing.T) {
	requireGuest(t)
	checkNoLeaks(t)
	for _, tt := range []struct {
		how  string // how the first association ends: endAssoc
		when string // queued: before Accept; accepted: before Accept, then accepted; after-accept
		hang bool
	}{
		{"abort", "queued", true},
		{"abort", "accepted", true},
		{"abort", "after-accept", false},
		{"close", "queued", true},
		{"close", "accepted", true},
		{"close", "after-accept", false},
		{"abort", "closed", false}, // ended while queued, accepted and closed
	} {
		t.Run(tt.how+"/"+tt.when, func(t *testing.T) {
			ln, addr, d, first := explicitPortDial(t)
			var old *Conn
			if tt.when == "after-accept" {
				var err error
				old, err = ln.AcceptSCTP()
				require.NoError(t, err)
				defer old.Close()
			}
			endAssoc(t, tt.how, first)
			// The redial binds the same port once this side is done with
			// it, and must meet the server's association after its end.
			client := d.LocalAddr.(*sctp.SCTPAddr).Port
			waitPortFree(t, client)
			waitServerEnd(t, Port(ln.Addr()), client)
			if tt.when == "accepted" || tt.when == "closed" {
				var err error
				old, err = ln.AcceptSCTP()
				require.NoError(t, err)
				defer old.Close()
				if tt.when == "closed" {
					require.NoError(t, old.Close())
				}
			}

			c, err := d.DialSCTP(context.Background(), "sctp4", addr)
			if c != nil {
				c.Close()
			}
			if tt.hang {
				require.ErrorIs(t, err, os.ErrDeadlineExceeded, "the kernel let a handshake from the ended association's port through")
			} else {
				require.NoError(t, err)
			}
		})
	}
	t.Run("tcp", func(t *testing.T) {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		require.NoError(t, err)
		defer ln.Close()
		port := freePort(t)
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}, Timeout: time.Second}
		first, err := d.Dial("tcp4", ln.Addr().String())
		require.NoError(t, err)
		require.NoError(t, first.(*net.TCPConn).SetLinger(0))
		require.NoError(t, first.Close())
		// The reset connection waits in the accept queue, unaccepted.
		c, err := d.Dial("tcp4", ln.Addr().String())
		require.NoError(t, err)
		c.Close()
	})
}

// bindProbe binds an SCTP socket to 127.0.0.1:port and closes it at
// once: nil when the port is free.
func bindProbe(t *testing.T, port int) error {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, unix.IPPROTO_SCTP)
	require.NoError(t, err)
	defer unix.Close(fd)
	return unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: port})
}

// waitPortFree waits until port can be bound on 127.0.0.1 by an SCTP
// socket: the association that used it is gone from this side.
func waitPortFree(t *testing.T, port int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := bindProbe(t, port)
		if err == nil {
			return
		}
		require.ErrorIs(t, err, unix.EADDRINUSE)
		require.True(t, time.Now().Before(deadline), "port %d still in use after 5 s", port)
		time.Sleep(5 * time.Millisecond)
	}
}

// waitServerEnd waits until the kernel's association from local port
// server to peer port client is CLOSED or gone (assocRows).
func waitServerEnd(t *testing.T, server, client int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		live := ""
		for _, r := range assocRows(sctpAssocs(t)) {
			if r.lport == server && r.rport == client && r.state != "0" {
				live = r.line
			}
		}
		if live == "" {
			return
		}
		require.True(t, time.Now().Before(deadline), "the server's association has not ended after 5 s: %s", live)
		time.Sleep(5 * time.Millisecond)
	}
}

// TestDialAvoidsEndedPort: with kernel-chosen ports, a redial to a peer
// that still holds the association a previous dial ended does not draw
// that association's port. The ephemeral range is two ports, so without
// the guard the kernel hands the ended port back to half of the redials,
// which then hang until their deadline (TestKernelHoldsEndedAssociation);
// ten rounds catch that with probability 1 − 2⁻¹⁰. The server never
// accepts, so every ended association stays in its queue, CLOSED.
func TestDialAvoidsEndedPort(t *testing.T) {
	requireGuest(t)
	checkNoLeaks(t)
	const rounds = 10
	for _, how := range []string{"abort", "close", "cancelled"} {
		t.Run(how, func(t *testing.T) {
			// Listeners on ports outside the narrowed range.
			var lns []*Listener
			for range rounds {
				lns = append(lns, listenLoopback4(t))
			}
			lo := freeRange(t, 2)
			setSysctl(t, "net.ipv4.ip_local_port_range", strconv.Itoa(lo)+" "+strconv.Itoa(lo+1))
			avoided := portsAvoided.Load()
			d := &Dialer{InitMsg: peerInitMsg, Timeout: 2 * time.Second}
			for i, ln := range lns {
				addr := "127.0.0.1:" + strconv.Itoa(Port(ln.Addr()))
				ended := endedDial(t, how, d, ln, addr)
				waitPortFree(t, ended)

				c, err := d.DialSCTP(context.Background(), "sctp4", addr)
				require.NoError(t, err, "round %d: the redial from the range {%d, %d}, after port %d ended", i, lo, lo+1, ended)
				require.NotEqual(t, ended, Port(c.LocalAddr()), "round %d", i)
				require.NoError(t, c.Close())
				// The listener goes (taking the queued associations with
				// it), and with it the peer port the memory knows.
				require.NoError(t, ln.Close())
			}
			t.Logf("%d of %d redials drew the ended port first and took another", portsAvoided.Load()-avoided, rounds)
		})
	}
}

// endedDial makes a dial to addr whose association then ends as how says,
// and returns its local port. "abort" and "close" end a Conn; "cancelled"
// is a dial whose context is cancelled while connectx runs, so the
// association is up when the dial gives up and aborts it; its port is read
// from the server's side, whose accepted Conn stays open (the association
// CLOSED in it) until the test ends.
func endedDial(t *testing.T, how string, d *Dialer, ln *Listener, addr string) int {
	t.Helper()
	if how != "cancelled" {
		c, err := d.DialSCTP(context.Background(), "sctp4", addr)
		require.NoError(t, err)
		port := Port(c.LocalAddr())
		endAssoc(t, how, c)
		return port
	}
	// The association is up inside connectx nearly always over loopback;
	// when it was not (the handshake deferred to ksoftirqd), the dial gave
	// up in COOKIE_WAIT and the server has nothing: try again.
	for range 5 {
		ctx, cancel := context.WithCancel(context.Background())
		cd := *d
		cd.ControlContext = func(context.Context, string, string, syscall.RawConn) error {
			cancel()
			return nil
		}
		c, err := cd.DialSCTP(ctx, "sctp4", addr)
		cancel()
		require.Nil(t, c)
		require.ErrorIs(t, err, context.Canceled)
		require.NoError(t, ln.SetDeadline(time.Now().Add(time.Second)))
		old, err := ln.AcceptSCTP()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			continue
		}
		require.NoError(t, err)
		t.Cleanup(func() { old.Close() })
		return Port(old.RemoteAddr())
	}
	t.Fatal("no cancelled dial reached the server in five tries")
	return 0
}

// resetEndedPorts empties the process's port memory, now and when the
// test ends, so that the test sees only the entries it makes.
func resetEndedPorts(t *testing.T) {
	endedPorts.reset()
	t.Cleanup(endedPorts.reset)
}

func (m *portMemory) reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.at, m.ring, m.next = nil, nil, 0
	m.newest.Store(0)
}

// freeRange returns lo such that the n ports from lo are free on
// 127.0.0.1 now, for a narrowed ephemeral range.
func freeRange(t *testing.T, n int) int {
	t.Helper()
	for range 100 {
		lo := freePort(t)
		if lo+n > 65536 {
			continue
		}
		free := true
		for p := lo + 1; p < lo+n && free; p++ {
			free = bindProbe(t, p) == nil
		}
		if free {
			return lo
		}
	}
	t.Fatalf("no %d adjacent free ports", n)
	return 0
}

// TestDialPortMemoryLimits: the guard's edges. Every port of a narrowed
// ephemeral range is remembered (nobody holds anything, so each dial
// would succeed from any of them); the dial must still succeed, open at
// most portRepicks extra sockets and leave none open. A hook that binds
// the socket chooses the port: the dial neither checks nor records it. A
// hook that fails on the extra socket does not fail the dial.
func TestDialPortMemoryLimits(t *testing.T) {
	requireGuest(t)
	for _, tt := range []struct {
		name      string
		ports     int  // the ephemeral range, all remembered
		hookBinds bool // Control binds 127.0.0.1:0 itself
		hookFails bool // Control fails from its second call on
		avoided   int  // extra sockets the dial keeps (portsAvoided)
		calls     int  // Control calls, when a hook is set
	}{
		{name: "the only port", ports: 1, avoided: 1},
		{name: "both ports", ports: 2, avoided: 2},
		{name: "more ports than repicks", ports: portRepicks + 4, avoided: portRepicks},
		{name: "hook binds", ports: 1, hookBinds: true, avoided: 0, calls: 1},
		{name: "hook fails on the extra socket", ports: 1, hookFails: true, avoided: 0, calls: 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkNoLeaks(t)
			resetEndedPorts(t)
			ln := listenLoopback4(t)
			go func() {
				for {
					c, err := ln.AcceptSCTP()
					if err != nil {
						return
					}
					c.Close()
				}
			}()
			lo := freeRange(t, tt.ports)
			setSysctl(t, "net.ipv4.ip_local_port_range", strconv.Itoa(lo)+" "+strconv.Itoa(lo+tt.ports-1))
			const when = 1
			for p := lo; p < lo+tt.ports; p++ {
				endedPorts.add(p, Port(ln.Addr()), when)
			}
			d := &Dialer{InitMsg: peerInitMsg, Timeout: 2 * time.Second}
			calls := 0
			if tt.hookBinds || tt.hookFails {
				d.Control = func(_, _ string, rc syscall.RawConn) error {
					calls++
					if tt.hookFails && calls > 1 {
						return errors.New("no second socket")
					}
					var err error
					if tt.hookBinds {
						rc.Control(func(fd uintptr) {
							err = unix.Bind(int(fd), &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}})
						})
					}
					return err
				}
			}
			before := portsAvoided.Load()
			c, err := d.DialSCTP(context.Background(), "sctp4", "127.0.0.1:"+strconv.Itoa(Port(ln.Addr())))
			require.NoError(t, err)
			port := Port(c.LocalAddr())
			require.NoError(t, c.Close())
			require.Equal(t, tt.avoided, int(portsAvoided.Load()-before), "extra sockets")
			require.True(t, port >= lo && port < lo+tt.ports, "port %d outside the range", port)
			if tt.hookBinds || tt.hookFails {
				require.Equal(t, tt.calls, calls, "Control calls")
			}
			at, ok := endedPorts.endedAt(port, Port(ln.Addr()), monoNow())
			require.True(t, ok)
			if tt.hookBinds {
				require.Equal(t, int64(when), at, "Close recorded a port a hook chose")
			} else {
				require.Greater(t, at, int64(when), "Close did not record the port")
			}
		})
	}
}
