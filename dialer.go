package sctpdial

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/ishidawataru/sctp"
)

// A Dialer contains options for connecting to an address. It is a drop-in
// for net.Dialer: the fields shared with it mean the same, the networks
// "sctp", "sctp4" and "sctp6" dial SCTP, and every other network is passed
// to a net.Dialer built from the same fields.
//
// The zero value is ready to use: no timeout, no local address, the
// default resolver, kernel heartbeat and INIT defaults. A Dialer is safe
// for concurrent use as long as its fields are not changed.
type Dialer struct {
	// Timeout is the maximum amount of time a dial will wait for the
	// association to come up, name resolution included. The zero value
	// means no timeout (the kernel still gives up after
	// net.sctp.max_init_retransmits INIT retransmissions, with ETIMEDOUT).
	Timeout time.Duration

	// Deadline is the absolute point in time after which dials fail. If
	// Timeout is also set, the earlier one applies; a context deadline
	// applies too. The zero value means no deadline.
	Deadline time.Time

	// LocalAddr is the local address to use. For SCTP networks it must be
	// a *sctp.SCTPAddr: all its IP addresses are bound with sctp_bindx
	// before connecting (an empty IP list binds the wildcard address with
	// its Port). For other networks it is passed to net.Dialer. Nil lets
	// the kernel choose.
	//
	// When the kernel chooses the local port, a dial whose association
	// turns out to be connected to itself (the port chosen was the
	// destination port, nobody listens there, and the INIT met itself) is
	// closed and retried twice, then fails with ECONNREFUSED, as package
	// net guards TCP dials (Go issue 2690). With an explicit port the
	// self-connect is the caller's choice and is returned, as with TCP.
	// A kernel-chosen port is also checked against the ports from which
	// this process's dials ended an association with the same peer port in
	// the last 60 s (the latest 4,096 of them): the dial takes another
	// port, trying up to eight more sockets, because a peer that still
	// holds such an ended association drops the new handshake (see
	// docs/design.md, "Local ports").
	LocalAddr net.Addr

	// Resolver looks up host names; nil means net.DefaultResolver.
	Resolver *net.Resolver

	// KeepAlive is the SCTP heartbeat interval on every path
	// (SCTP_PEER_ADDR_PARAMS spp_hbinterval). Zero keeps the kernel
	// default (net.sctp.hb_interval, 30 s); a negative value turns
	// heartbeats off. For other networks it means what net.Dialer says.
	KeepAlive time.Duration

	// Control, if not nil, is called after the socket is created and its
	// options set, before binding and connecting, with network "sctp4" or
	// "sctp6" (the socket's family) and the resolved address list
	// ("192.0.2.1,[2001:db8::1]:9"). ControlContext takes precedence.
	//
	// It runs once per socket, and a dial can open more than one: a
	// self-connect is retried with a new socket, and a dial that drew a
	// recently ended port (see LocalAddr) opens another socket before
	// connecting and closes the one it did not use. An error from the
	// hook on such an extra socket is not the dial's: the dial goes on
	// with the socket it had. A hook that binds the socket itself chooses
	// the local port, so the dial does not check it.
	Control func(network, address string, c syscall.RawConn) error

	// ControlContext is Control with the dial's context.
	ControlContext func(ctx context.Context, network, address string, c syscall.RawConn) error

	// InitMsg sets SCTP_INITMSG before connecting: the number of outbound
	// streams asked for, the most inbound streams accepted, INIT attempts
	// and the largest INIT retransmission timeout (ms). Zero fields keep
	// the kernel's defaults. A non-zero MaxInitTimeout turns INIT pacing
	// off (see DisableInitPacing).
	InitMsg sctp.InitMsg

	// RTO sets the association's retransmission timeout bounds
	// (SCTP_RTOINFO) before connecting, so they already govern the INIT
	// retransmissions. Zero fields keep the kernel's values. A non-zero
	// Initial turns INIT pacing off (see DisableInitPacing).
	RTO RTOInfo

	// Failover sets how paths and the association are given up (RTO
	// bounds, heartbeats, PF and switch-over thresholds, the
	// association's retransmission limit); see Failover and
	// FailoverWithin. It is applied after RTO, PathParams and KeepAlive,
	// so its non-zero fields win; a non-zero Failover.RTO.Initial turns
	// INIT pacing off as RTO.Initial does. The zero value changes nothing.
	Failover Failover

	// DisableInitPacing keeps the kernel's INIT timing. By default
	// (false), a dial with two or more addresses and a deadline (Timeout,
	// Deadline or the context's) whose RTO.Initial and
	// InitMsg.MaxInitTimeout are zero lowers the initial RTO for the
	// handshake to
	//
	//	clamp(time left ÷ (addresses + 1), 100 ms, net.sctp.rto_initial)
	//
	// so that the kernel, which sends each INIT retransmission to the
	// next address one initial RTO later, reaches every address well
	// before the deadline (with the default 3 s initial RTO, a 3 s dial
	// whose first address is silent would time out before trying the
	// second). It also raises InitMsg.MaxAttempts, if zero, when the
	// kernel would stop before every address had an INIT. Once the
	// association is up its RTO.Initial is set back to the kernel's value.
	// Single-address dials and dials without a deadline are never paced.
	DisableInitPacing bool

	// PathParams sets per-path parameters (SCTP_PEER_ADDR_PARAMS: heartbeat
	// interval, path retransmissions) before connecting. Zero fields keep
	// the kernel's values; a non-zero KeepAlive wins over
	// PathParams.HeartbeatInterval.
	PathParams PathParams

	// DelayedSACK sets how the association acknowledges data it receives
	// (SCTP_DELAYED_SACK) before connecting; zero fields keep the kernel's
	// (a SACK every second packet or after 200 ms). SignallingProfile turns
	// delayed SACK off.
	DelayedSACK DelayedSACK

	// ReadBuffer and WriteBuffer set SO_RCVBUF and SO_SNDBUF, in bytes,
	// before connecting (the receive window is sized from the receive
	// buffer then). ReadBuffer zero asks for DefaultReadBuffer (1 MiB):
	// on the kernel's default (net.core.rmem_default, 212,992 bytes)
	// messages of 64 KiB stall on delayed SACKs. A negative ReadBuffer
	// keeps the kernel's. WriteBuffer zero or negative keeps the kernel's
	// (wmem_default); a larger send buffer alone did not change
	// throughput. BulkProfile asks for 4 MiB of each (see
	// docs/benchmarks-notes.md). The kernel caps each request at
	// net.core.rmem_max and wmem_max, then doubles it (getsockopt
	// SO_RCVBUF reports what it granted).
	ReadBuffer, WriteBuffer int

	// KeepAliveConfig, when Enable is true, takes precedence over
	// KeepAlive, as in net.Dialer. For SCTP networks it turns heartbeats on
	// every Interval (or Idle when Interval is zero; both zero keeps the
	// kernel's interval), and a positive Count becomes the number of
	// unanswered retransmissions after which a path is marked down
	// (PathParams.PathMaxRetrans, unless that is set). The association
	// itself does not end when its last path is marked down: the kernel
	// goes on retransmitting over the inactive paths and ends it only when
	// its own error count passes SCTP_ASSOCINFO sasoc_asocmaxrxt
	// (Failover.AssocMaxRetrans; net.sctp.association_max_retrans, 10;
	// measured with every path cut: about 1 s after the last path went
	// down with 100–200 ms RTOs). For other networks it is passed to
	// net.Dialer.
	KeepAliveConfig net.KeepAliveConfig

	// FallbackDelay is passed to net.Dialer for other networks. SCTP dials
	// race nothing: every address goes into one association, and the
	// kernel moves on to the next address when one stays silent.
	FallbackDelay time.Duration

	// DualStack is ignored, as net.Dialer ignores it.
	//
	// Deprecated: dual-stack dialing is always on.
	DualStack bool

	// Cancel is an optional channel whose closure cancels the dial, as in
	// net.Dialer.
	//
	// Deprecated: use DialContext.
	Cancel <-chan struct{}

	// OverrideTCP makes the networks "tcp", "tcp4" and "tcp6" dial SCTP
	// (as "sctp", "sctp4" and "sctp6"). It is for callers that always ask
	// for "tcp", such as net/http's Transport.DialContext and gRPC's
	// WithContextDialer; it is off by default so that "tcp" keeps
	// meaning TCP.
	OverrideTCP bool

	// AddressChanges lets the association add and remove local addresses
	// and move the peer's primary path while it is up (ASCONF, RFC 5061:
	// Conn.AddLocalAddrs, RemoveLocalAddrs, SetPeerPrimary). It switches
	// ASCONF and AUTH on for this socket before connecting
	// (SCTP_ASCONF_SUPPORTED, SCTP_AUTH_SUPPORTED), whatever the sysctls
	// net.sctp.addip_enable and net.sctp.auth_enable say, and, on a socket
	// bound to the wildcard address, SCTP_AUTO_ASCONF once connected, so
	// that the kernel announces host addresses that come and go. The peer
	// must offer ASCONF and AUTH too (ListenConfig.AddressChanges, or the
	// sysctls). On kernels before Linux 5.1, which lack the socket
	// options, the dial fails with an *AddressChangeError naming the
	// sysctls if they are off. See docs/address-changes.md.
	AddressChanges bool

	// mptcp is SetMultipathTCP's choice for delegated TCP dials: 0 the
	// default, 1 on, -1 off.
	mptcp int8
}

// Dial connects to the address on the named network using
// context.Background.
func (d *Dialer) Dial(network, address string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, address)
}

// Dial connects to the address on the named network with a zero Dialer.
func Dial(network, address string) (net.Conn, error) {
	var d Dialer
	return d.DialContext(context.Background(), network, address)
}

// DialTimeout is Dial with a timeout covering resolution and the SCTP
// handshake.
func DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	d := Dialer{Timeout: timeout}
	return d.DialContext(context.Background(), network, address)
}

// DialContext connects to the address on the named network using the
// provided context. For SCTP networks the address is "host1,host2:port"
// (see the package documentation); every host is resolved to every address
// and all of them go into one sctp_connectx call. The returned net.Conn is
// a *Conn. On failure the error is a *net.OpError and the Conn is nil.
//
// The context must be non-nil. Cancelling it or reaching a deadline (the
// earliest of Timeout, Deadline and the context's) before the association
// is up aborts the attempt.
func (d *Dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if ctx == nil {
		panic("nil context")
	}
	sctpNet, ok := sctpNetwork(network, d.OverrideTCP)
	if !ok {
		ctx, cancel := d.withCancel(ctx)
		defer cancel()
		return d.netDialer().DialContext(ctx, network, address)
	}
	c, err := d.dialContext(ctx, network, sctpNet, address)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// withCancel folds the deprecated Cancel channel into ctx.
func (d *Dialer) withCancel(ctx context.Context) (context.Context, context.CancelFunc) {
	if d.Cancel == nil {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	select {
	case <-d.Cancel:
		cancel()
		return ctx, cancel
	default:
	}
	go func() {
		select {
		case <-d.Cancel:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// DialSCTP is DialContext for SCTP networks returning the *Conn itself.
func (d *Dialer) DialSCTP(ctx context.Context, network, address string) (*Conn, error) {
	if ctx == nil {
		panic("nil context")
	}
	sctpNet, ok := sctpNetwork(network, d.OverrideTCP)
	if !ok {
		return nil, &net.OpError{Op: "dial", Net: network, Err: net.UnknownNetworkError(network)}
	}
	return d.dialContext(ctx, network, sctpNet, address)
}

func (d *Dialer) dialContext(ctx context.Context, network, sctpNet, address string) (*Conn, error) {
	var source net.Addr
	var laddr *sctp.SCTPAddr
	switch la := d.LocalAddr.(type) {
	case nil:
	case *sctp.SCTPAddr:
		if la != nil {
			laddr, source = la, la
		}
	default:
		// Not la.Network() or la.String(): a typed nil may not survive them.
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.AddrError{Err: "mismatched local address type", Addr: fmt.Sprintf("%T", la)}}
	}
	fail := func(addr net.Addr, err error) (*Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Source: source, Addr: addr, Err: err}
	}
	if laddr != nil {
		if err := checkLocalAddr(laddr); err != nil {
			return fail(nil, err)
		}
	}

	hp, err := parseMultiAddr(sctpNet, address)
	if err != nil {
		return fail(nil, err)
	}
	ctx, cancel := d.withCancel(ctx)
	defer cancel()
	if deadline := foldDeadline(ctx, time.Now(), d.Timeout, d.Deadline); !deadline.IsZero() {
		if ctxDeadline, ok := ctx.Deadline(); !ok || deadline.Before(ctxDeadline) {
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, deadline)
			defer cancel()
		}
	}
	raddrs, err := resolveAll(ctx, d.Resolver, sctpNet, hp)
	if err != nil {
		return fail(nil, mapCtxErr(err))
	}
	// The peer's *sctp.SCTPAddr is made only for an error: a Conn makes
	// its own when asked.
	if err := checkZones(raddrs); err != nil {
		return fail(toSCTPAddr(raddrs, hp.port), err)
	}
	if err := ctx.Err(); err != nil {
		// As net's dialSerial: no socket for a dial already given up.
		return fail(toSCTPAddr(raddrs, hp.port), mapCtxErr(err))
	}
	plan := &dialPlan{network: network, raddrs: raddrs, port: hp.port, laddr: laddr,
		pace: d.initPacing(ctx, len(raddrs))}
	trace := ContextDialTrace(ctx)
	start := trace.connectStart(d, sctpNet, plan)
	c, err := d.dialSCTP(ctx, plan)
	if err != nil {
		_, err = fail(toSCTPAddr(raddrs, hp.port), err)
	}
	trace.connectDone(sctpNet, plan, start, c, err)
	if err == nil && d.AddressChanges {
		c.markAddressChanges()
	}
	return c, err
}

// dialPlan is everything a dial needs once the address is resolved.
type dialPlan struct {
	network string // as the caller gave it, for errors and hooks' family
	raddrs  []netip.Addr
	port    int
	laddr   *sctp.SCTPAddr // nil: the kernel picks
	pace    *initPacing    // nil: no INIT pacing (pacing.go)
	// hookBound: a control hook bound the socket (no LocalAddr given), so
	// the hook chose the port and the port memory leaves it alone.
	hookBound bool
}

// kernelPort reports whether the kernel picks the dial's local port: no
// LocalAddr, or one with port 0. Only then does the dial guard against a
// self-connect and avoid recently ended ports (portreuse.go); a port the
// caller chose is used as given, as package net does.
func (p *dialPlan) kernelPort() bool { return p.laddr == nil || p.laddr.Port == 0 }

// guardsPort reports whether the dial's port is checked against, and
// recorded in, the memory of recently ended ports: the kernel picks it and
// no control hook bound the socket.
func (p *dialPlan) guardsPort() bool { return p.kernelPort() && !p.hookBound }

// sctpNetwork maps a network name to the SCTP network it dials, if any.
func sctpNetwork(network string, overrideTCP bool) (string, bool) {
	switch network {
	case "sctp", "sctp4", "sctp6":
		return network, true
	case "tcp", "tcp4", "tcp6":
		if overrideTCP {
			return "sctp" + network[3:], true
		}
	}
	return "", false
}

// heartbeat returns what KeepAlive and KeepAliveConfig ask for: the
// heartbeat interval (0: the kernel's, <0: off), whether heartbeats must be
// switched on even with the kernel's interval, and the path retransmission
// limit (0: unchanged).
func (d *Dialer) heartbeat() (interval time.Duration, on bool, maxRetrans uint16) {
	kc := d.KeepAliveConfig
	if !kc.Enable {
		return d.KeepAlive, false, 0
	}
	interval = kc.Interval
	if interval <= 0 {
		interval = max(kc.Idle, 0)
	}
	return interval, true, uint16(min(max(kc.Count, 0), 0xffff))
}
