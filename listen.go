package sctpdial

import (
	"context"
	"errors"
	"math"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ishidawataru/sctp"
)

// defaultBacklog is the accept queue length asked for when
// ListenConfig.Backlog is not set: SOMAXCONN, as package net asks for on
// Linux (it reads net.core.somaxconn; the kernel caps larger requests at
// that sysctl anyway, see __sys_listen in net/socket.c).
const defaultBacklog = 4096

// ListenConfig contains options for listening to an address, after
// net.ListenConfig. The zero value is ready to use: kernel heartbeat and
// INIT defaults, an accept queue of SOMAXCONN, the default resolver. A
// ListenConfig is safe for concurrent use as long as its fields are not
// changed.
type ListenConfig struct {
	// Control, if not nil, is called after the socket is created and its
	// options set, before binding, with network "sctp4" or "sctp6" (the
	// socket's family) and the address list to be bound
	// ("192.0.2.1,[2001:db8::1]:0"; "[::]:port" or "0.0.0.0:port" for the
	// wildcard).
	Control func(network, address string, c syscall.RawConn) error

	// KeepAlive is the SCTP heartbeat interval of every path of accepted
	// associations (SCTP_PEER_ADDR_PARAMS spp_hbinterval on the listening
	// endpoint, which new associations inherit). Zero keeps the kernel
	// default (net.sctp.hb_interval, 30 s); a negative value turns
	// heartbeats off.
	KeepAlive time.Duration

	// InitMsg sets SCTP_INITMSG on the listening socket: the outbound
	// streams offered to peers, the most inbound streams accepted, INIT
	// attempts and the largest INIT retransmission timeout (ms). Zero
	// fields keep the kernel's defaults.
	InitMsg sctp.InitMsg

	// Failover is the failover policy accepted associations inherit
	// (see Dialer.Failover); applied after RTO, PathParams and
	// KeepAlive, so its non-zero fields win.
	Failover Failover

	// RTO and PathParams set the retransmission timeout bounds
	// (SCTP_RTOINFO) and per-path parameters (SCTP_PEER_ADDR_PARAMS) that
	// accepted associations inherit from the listening endpoint. Zero
	// fields keep the kernel's values; a non-zero KeepAlive wins over
	// PathParams.HeartbeatInterval.
	RTO        RTOInfo
	PathParams PathParams

	// DelayedSACK, ReadBuffer and WriteBuffer are the Dialer's fields of
	// the same names for accepted associations, which inherit them from
	// the listening socket; the same defaults apply.
	DelayedSACK             DelayedSACK
	ReadBuffer, WriteBuffer int

	// Backlog is the length of the accept queue passed to listen(2).
	// Zero or negative means SOMAXCONN; the kernel caps any value at
	// net.core.somaxconn, and values beyond listen's int are passed as
	// math.MaxInt32. (A backlog of 0 is never passed: on an SCTP socket
	// listen(fd, 0) means "stop listening", see sctp_inet_listen.)
	Backlog int

	// Resolver looks up host names; nil means net.DefaultResolver.
	Resolver *net.Resolver

	// AddressChanges offers ASCONF and AUTH to every peer, whatever the
	// sysctls say, so that accepted associations can change their
	// addresses while up (see Dialer.AddressChanges); a peer that adds or
	// removes addresses needs it here. See docs/address-changes.md.
	AddressChanges bool
}

// Listen announces on the local network address with a zero ListenConfig.
// See ListenConfig.Listen.
func Listen(network, address string) (net.Listener, error) {
	var lc ListenConfig
	return lc.Listen(context.Background(), network, address)
}

// Listen announces on the local network address. The network must be
// "sctp", "sctp4" or "sctp6". The address is "host1,host2:port", the
// grammar of Dialer.DialContext, with two differences: port 0 (or an empty
// port) lets the kernel choose a port, which Listener.Addr reports, and an
// empty host list (":port") or a lone unspecified address ("0.0.0.0:port",
// "[::]:port") means every local address. As in package net, the wildcard
// for "sctp" is a dual-stack IPv6 socket, for "sctp4" an IPv4 one and for
// "sctp6" an IPv6-only one. Every host is resolved to every address and all
// of them are bound (bind(2) for the first, sctp_bindx(3) for the rest), so
// accepted associations are multi-homed over all of them.
//
// The context is used only while resolving the address; it does not
// affect the returned Listener, which is a *Listener. On failure the error
// is a *net.OpError with Op "listen".
func (lc *ListenConfig) Listen(ctx context.Context, network, address string) (net.Listener, error) {
	l, err := lc.ListenSCTP(ctx, network, address)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// ListenSCTP is Listen returning the *Listener itself.
func (lc *ListenConfig) ListenSCTP(ctx context.Context, network, address string) (*Listener, error) {
	if ctx == nil {
		panic("nil context")
	}
	fail := func(addr net.Addr, err error) (*Listener, error) {
		return nil, &net.OpError{Op: "listen", Net: network, Addr: addr, Err: err}
	}
	hp, err := parseListenAddr(network, address)
	if err != nil {
		return fail(nil, err)
	}
	p := &listenPlan{network: network, port: hp.port}
	if len(hp.hosts) > 0 {
		p.addrs, err = resolveAll(ctx, lc.Resolver, network, hp)
		if err != nil {
			return fail(nil, mapCtxErr(err))
		}
	}
	p.plan()
	l, err := lc.listenSCTP(p)
	if err != nil {
		return fail(p.sctpAddr(), err)
	}
	return l, nil
}

// listenPlan is everything a listen needs once the address is resolved.
type listenPlan struct {
	network string       // as the caller gave it
	addrs   []netip.Addr // to bind, in order; one unspecified address for the wildcard
	port    int          // 0: the kernel chooses
	family6 bool         // AF_INET6 socket (else AF_INET)
	v6only  bool         // IPV6_V6ONLY on an AF_INET6 socket
}

// sctpAddr is the address asked for, for errors.
func (p *listenPlan) sctpAddr() *sctp.SCTPAddr {
	a := &sctp.SCTPAddr{Port: p.port}
	for _, ip := range p.addrs {
		a.IPAddrs = append(a.IPAddrs, net.IPAddr{IP: ip.AsSlice(), Zone: ip.Zone()})
	}
	return a
}

// plan picks the socket family: AF_INET when every address is IPv4, else
// AF_INET6. No addresses means the wildcard, chosen per network as package
// net's favoriteAddrFamily does for listeners. An AF_INET6 socket is
// IPv6-only for "sctp6", as package net makes every "tcp6" socket
// (ipv6only in favoriteAddrFamily), and otherwise takes IPv4 addresses too.
func (p *listenPlan) plan() {
	if len(p.addrs) == 0 {
		switch p.network {
		case "sctp4":
			p.addrs = []netip.Addr{netip.IPv4Unspecified()}
		default:
			p.addrs = []netip.Addr{netip.IPv6Unspecified()}
		}
	}
	for _, a := range p.addrs {
		if !a.Is4() {
			p.family6 = true
		}
	}
	p.v6only = p.family6 && p.network == "sctp6"
}

// listenBacklog is the backlog passed to listen(2): SOMAXCONN for zero or
// negative, and at most math.MaxInt32, since the kernel takes an int and a
// larger value would wrap (1<<32 would become listen(fd, 0), which on SCTP
// means "stop listening").
func listenBacklog(backlog int) int {
	switch {
	case backlog <= 0:
		return defaultBacklog
	case int64(backlog) > math.MaxInt32:
		return math.MaxInt32
	}
	return backlog
}

// parseListenAddr parses a listen address: the grammar of parseMultiAddr,
// but port 0 and an empty port mean "any port", and an empty host list or a
// lone unspecified address means the wildcard, returned as no hosts.
func parseListenAddr(network, address string) (hostPort, error) {
	switch network {
	case "sctp", "sctp4", "sctp6":
	default:
		return hostPort{}, net.UnknownNetworkError(network)
	}
	colon := strings.LastIndexByte(address, ':')
	if len(address) > maxAddressLen || colon < 0 || colon < strings.LastIndexByte(address, ']') {
		// Too long, empty or without a port: the dial grammar's errors.
		if _, err := parseMultiAddr(network, address); err != nil {
			return hostPort{}, err
		}
		return hostPort{}, &net.AddrError{Err: "missing port in address", Addr: address}
	}
	list, portStr := address[:colon], address[colon+1:]
	port, ok := parseListenPort(portStr)
	if !ok {
		return hostPort{}, &net.AddrError{Err: "invalid port " + strconv.Quote(portStr), Addr: address}
	}
	if list == "" {
		return hostPort{port: port}, nil
	}

	// The dial grammar rejects unspecified addresses; here a lone one is
	// the wildcard. Brackets never enclose ',' or '/', so this split finds
	// every host of a well-formed list; parseMultiAddr judges the rest.
	hosts := strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == '/' })
	for _, h := range hosts {
		ip, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"))
		if err != nil || !ip.WithZone("").Unmap().IsUnspecified() {
			continue
		}
		if ip.Zone() != "" {
			return hostPort{}, &net.AddrError{Err: "unspecified address cannot have a zone", Addr: address}
		}
		if len(hosts) > 1 || list != h {
			return hostPort{}, &net.AddrError{Err: "unspecified address must be the only host", Addr: address}
		}
		if ip = ip.Unmap(); (network == "sctp4" && !ip.Is4()) || (network == "sctp6" && !ip.Is6()) {
			return hostPort{}, &net.AddrError{Err: "no suitable address found", Addr: address}
		}
		if ip.Is6() && !strings.HasPrefix(h, "[") {
			return hostPort{}, &net.AddrError{Err: "IPv6 literal must be enclosed in brackets", Addr: address}
		}
		if ip.Zone() != "" {
			return hostPort{}, &net.AddrError{Err: "zone not allowed on unspecified address", Addr: address}
		}
		return hostPort{port: port}, nil
	}

	// Any valid port will do for the dial grammar; the real one is ours.
	hp, err := parseMultiAddr(network, list+":1")
	if err != nil {
		var ae *net.AddrError
		if errors.As(err, &ae) {
			return hostPort{}, &net.AddrError{Err: ae.Err, Addr: address}
		}
		return hostPort{}, err
	}
	hp.port = port
	return hp, nil
}

// parseListenPort parses a decimal port in 0..65535; as in package net, an
// empty port means 0.
func parseListenPort(s string) (int, bool) {
	if s == "" {
		return 0, true
	}
	return parseDecimalPort(s)
}
