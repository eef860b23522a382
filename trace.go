package sctpdial

import (
	"context"
	"net"
	"net/netip"
	"time"
)

// DialTrace is a set of hooks run at the stages of an SCTP dial, in the
// spirit of net/http/httptrace.ClientTrace. Attach one to a dial's context
// with WithDialTrace. Any field may be nil.
//
// ResolveStart and ResolveDone run once per distinct host name (IP
// literals need no resolution), from the goroutines doing the lookups:
// with several names they may run concurrently. ConnectStart and
// ConnectDone run once per dial, from the dialing goroutine, after every
// lookup has finished. A dial that fails before its socket exists (a bad
// address, a failed lookup, a context already done) runs no connect hook.
//
// The hooks run inside the dial and delay it: they must return quickly.
// The slices they receive belong to the hook for reading only during the
// call.
//
// Name lookups go through a net.Resolver, which itself calls the
// DNSStart and DNSDone hooks of a net/http/httptrace.ClientTrace in the
// context; its ConnectStart and ConnectDone are called when the dial goes
// through the sctphttptrace subpackage (http.Transport.DialContext =
// sctphttptrace.DialContext(d)), which keeps net/http out of this package.
// The sctpprom subpackage turns dials into Prometheus metrics.
type DialTrace struct {
	// ResolveStart is called before a host name is looked up.
	ResolveStart func(ResolveStartInfo)
	// ResolveDone is called when a host name's lookup has finished.
	ResolveDone func(ResolveDoneInfo)
	// ConnectStart is called right before sctp_connectx, with every
	// address the association will try.
	ConnectStart func(ConnectStartInfo)
	// ConnectDone is called when the dial has its outcome.
	ConnectDone func(ConnectDoneInfo)
}

// ResolveStartInfo is ResolveStart's argument.
type ResolveStartInfo struct {
	Host string // as given in the dial address
}

// ResolveDoneInfo is ResolveDone's argument.
type ResolveDoneInfo struct {
	Host string
	// Addrs are the addresses the resolver returned (IPv4 ones unmapped),
	// before the dial's family filter and de-duplication.
	Addrs []netip.Addr
	Err   error
}

// ConnectStartInfo is ConnectStart's argument.
type ConnectStartInfo struct {
	// Network is the SCTP network dialed: "sctp", "sctp4" or "sctp6" (also
	// under Dialer.OverrideTCP).
	Network string
	// Addrs is the whole peer address list in the order given to
	// sctp_connectx: the first one gets the first INIT.
	Addrs []netip.Addr
	Port  int
	// Pacing is how the INIT will be retransmitted across Addrs.
	Pacing InitPacing
}

// InitPacing is what governs the INIT of a dial: the kernel sends the
// first INIT to the first address and each retransmission, after the
// path's retransmission timeout (doubled every time, up to
// MaxInitTimeout), to the next address.
type InitPacing struct {
	// RTOInitial is the retransmission timeout of the first INIT; zero
	// means the kernel's (net.sctp.rto_initial, 3 s by default). When
	// Chosen, it is an upper bound: the kernel's value is kept if lower.
	RTOInitial time.Duration
	// MaxAttempts is the number of INIT retransmissions before the dial
	// fails with ETIMEDOUT; zero means the kernel's
	// (net.sctp.max_init_retransmits, 8 by default).
	MaxAttempts int
	// MaxInitTimeout caps the INIT retransmission timeout; zero means the
	// kernel's (net.sctp.rto_max, 60 s by default).
	MaxInitTimeout time.Duration
	// Chosen reports that the Dialer chose RTOInitial itself, from the
	// dial's deadline and its number of addresses, rather than taking it
	// from Dialer.RTO.
	Chosen bool
}

// ConnectDoneInfo is ConnectDone's argument.
type ConnectDoneInfo struct {
	Network string
	Addrs   []netip.Addr
	Port    int
	// Err is the dial's error (a *net.OpError), nil on success.
	Err error
	// Elapsed is the time from ConnectStart to the outcome.
	Elapsed time.Duration
	// The fields below are read from the kernel once the association is
	// up, and are zero after a failure.

	// Primary is the association's primary path (SCTP_STATUS).
	Primary netip.Addr
	// Answered is the peer address the handshake completed on: the one
	// path the kernel reports ACTIVE right after connecting, the others
	// being UNCONFIRMED until a HEARTBEAT confirms them
	// (SCTP_GET_PEER_ADDR_INFO). It is zero when the kernel does not tell
	// (no single ACTIVE path).
	Answered netip.Addr
	// Peers is every peer address of the new association, each with its
	// state: the peer's own list from its INIT-ACK, which drops dialed
	// addresses it does not have and may add others.
	Peers []PathInfo
	// INITs is the number of INIT chunks the kernel sent, the first one
	// included: control chunks sent by the association
	// (SCTP_GET_ASSOC_STATS sas_octrlchunks) less its COOKIE-ECHO. More
	// than one means the first addresses stayed silent (or the INIT or
	// INIT-ACK was lost). Zero when unknown.
	INITs int
}

// dialTraceKey is the context key of a *DialTrace.
type dialTraceKey struct{}

// WithDialTrace returns a context based on ctx that runs trace's hooks
// during a dial. Hooks of a DialTrace already in ctx keep running, after
// the new ones. A nil trace returns ctx unchanged.
func WithDialTrace(ctx context.Context, trace *DialTrace) context.Context {
	if trace == nil {
		return ctx
	}
	if old := ContextDialTrace(ctx); old != nil {
		trace = composeTraces(trace, old)
	}
	return context.WithValue(ctx, dialTraceKey{}, trace)
}

// ContextDialTrace returns the DialTrace of ctx, or nil.
func ContextDialTrace(ctx context.Context) *DialTrace {
	t, _ := ctx.Value(dialTraceKey{}).(*DialTrace)
	return t
}

// composeTraces returns a trace running a's hooks, then b's.
func composeTraces(a, b *DialTrace) *DialTrace {
	return &DialTrace{
		ResolveStart: compose(a.ResolveStart, b.ResolveStart),
		ResolveDone:  compose(a.ResolveDone, b.ResolveDone),
		ConnectStart: compose(a.ConnectStart, b.ConnectStart),
		ConnectDone:  compose(a.ConnectDone, b.ConnectDone),
	}
}

func compose[T any](a, b func(T)) func(T) {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return func(v T) { a(v); b(v) }
}

// The methods below are the dial's calls into a trace; each is a no-op on
// a nil *DialTrace, so that a dial without one pays a nil check.

func (t *DialTrace) resolveStart(host string) {
	if t != nil && t.ResolveStart != nil {
		t.ResolveStart(ResolveStartInfo{Host: host})
	}
}

func (t *DialTrace) resolveDone(host string, addrs []netip.Addr, err error) {
	if t != nil && t.ResolveDone != nil {
		// net.Resolver returns IPv4 addresses in their IPv4-mapped form.
		unmapped := make([]netip.Addr, len(addrs))
		for i, a := range addrs {
			unmapped[i] = a.Unmap()
		}
		t.ResolveDone(ResolveDoneInfo{Host: host, Addrs: unmapped, Err: err})
	}
}

// connectStart returns the time the connect started, for connectDone.
func (t *DialTrace) connectStart(d *Dialer, network string, p *dialPlan) time.Time {
	if t == nil {
		return time.Time{}
	}
	if t.ConnectStart != nil {
		t.ConnectStart(ConnectStartInfo{Network: network, Addrs: p.raddrs, Port: p.port, Pacing: d.tracePacing(p)})
	}
	if t.ConnectDone == nil {
		return time.Time{}
	}
	return time.Now()
}

func (t *DialTrace) connectDone(network string, p *dialPlan, start time.Time, c *Conn, err error) {
	if t == nil || t.ConnectDone == nil {
		return
	}
	info := ConnectDoneInfo{Network: network, Addrs: p.raddrs, Port: p.port, Err: err, Elapsed: time.Since(start)}
	if c != nil {
		c.fillConnectDone(&info)
	}
	t.ConnectDone(info)
}

// tracePacing is the pacing of p's INIT as ConnectStart reports it: the
// Dialer's options, with the initial RTO the dial chose (pacing.go) if it
// chose one; that one is applied only where the kernel's is higher.
func (d *Dialer) tracePacing(p *dialPlan) InitPacing {
	ip := InitPacing{
		RTOInitial:     d.RTO.Initial,
		MaxAttempts:    int(d.InitMsg.MaxAttempts),
		MaxInitTimeout: time.Duration(d.InitMsg.MaxInitTimeout) * time.Millisecond,
	}
	if p.pace != nil {
		ip.RTOInitial, ip.Chosen = p.pace.rto, true
	}
	return ip
}

// answeredPath picks the one ACTIVE path among the paths of a new
// association, or the zero address when there is not exactly one.
func answeredPath(paths []PathInfo) netip.Addr {
	var got netip.Addr
	n := 0
	for _, p := range paths {
		if p.State == PathActive {
			got, n = ipAddrToNetip(p.Addr), n+1
		}
	}
	if n != 1 {
		return netip.Addr{}
	}
	return got
}

// ipAddrToNetip converts an address read from the kernel.
func ipAddrToNetip(a net.IPAddr) netip.Addr {
	ip, ok := netip.AddrFromSlice(a.IP)
	if !ok {
		return netip.Addr{}
	}
	return ip.Unmap().WithZone(a.Zone)
}
