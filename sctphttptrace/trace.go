// Package sctphttptrace reports sctpdial's SCTP dials to the
// net/http/httptrace.ClientTrace of a request, so that http.Client
// tracing works unchanged over a Dialer with OverrideTCP:
//
//	d := &sctpdial.Dialer{OverrideTCP: true}
//	tr := &http.Transport{DialContext: sctphttptrace.DialContext(d)}
//
// A request traced with httptrace.WithClientTrace then sees, for each new
// association, DNSStart and DNSDone once per host name (from the
// net.Resolver, as with a TCP dial), then one ConnectStart and one
// ConnectDone: network "sctp" (or "sctp4", "sctp6") and the whole peer
// address list in sctpdial's grammar, "192.0.2.1,192.0.2.2:80", since one
// sctp_connectx tries every address. GotConn follows as usual; its
// Conn.RemoteAddr lists the association's peer addresses.
//
// The package sits beside sctpdial so that the core keeps net/http (and
// with it crypto/tls) out of its dependencies.
package sctphttptrace

import (
	"context"
	"net"
	"net/http/httptrace"
	"net/netip"

	"github.com/ishidawataru/sctp"
	"github.com/sctpdial/sctpdial"
)

// DialTrace returns a DialTrace that calls ct's ConnectStart and
// ConnectDone around an SCTP dial, or nil if ct has neither. It leaves
// DNSStart and DNSDone to the net.Resolver, which calls them itself; use
// Context or DialContext rather than this alone when the dial may resolve
// names over DNS, lest ct also see the resolver's own connections to its
// servers.
func DialTrace(ct *httptrace.ClientTrace) *sctpdial.DialTrace {
	if ct == nil || (ct.ConnectStart == nil && ct.ConnectDone == nil) {
		return nil
	}
	t := &sctpdial.DialTrace{}
	if f := ct.ConnectStart; f != nil {
		t.ConnectStart = func(i sctpdial.ConnectStartInfo) { f(i.Network, addrList(i.Addrs, i.Port)) }
	}
	if f := ct.ConnectDone; f != nil {
		t.ConnectDone = func(i sctpdial.ConnectDoneInfo) { f(i.Network, addrList(i.Addrs, i.Port), i.Err) }
	}
	return t
}

// Context prepares ctx for an SCTP dial by sctpdial: if ctx carries a
// ClientTrace (httptrace.ContextClientTrace), the dial reports its
// connect to it (see DialTrace), and the connections the resolver makes to
// DNS servers are hidden from its ConnectStart and ConnectDone, as
// net.Dialer hides them. Otherwise ctx is returned as it is. Use it only
// for SCTP dials: a TCP dial under the returned context would not report
// its connects.
func Context(ctx context.Context) context.Context {
	ct := httptrace.ContextClientTrace(ctx)
	dt := DialTrace(ct)
	if dt == nil {
		return ctx
	}
	// The net package reads its hooks from a context key of its own
	// (internal/nettrace), set by httptrace.WithClientTrace: a context
	// traced with the DNS hooks alone shadows it during the dial.
	shadow := context.Background()
	if ct.DNSStart != nil || ct.DNSDone != nil {
		shadow = httptrace.WithClientTrace(shadow, &httptrace.ClientTrace{DNSStart: ct.DNSStart, DNSDone: ct.DNSDone})
	} else {
		// A trace without DNS hooks: shadow with an empty one.
		shadow = httptrace.WithClientTrace(shadow, &httptrace.ClientTrace{DNSStart: func(httptrace.DNSStartInfo) {}})
	}
	return sctpdial.WithDialTrace(&shadowed{Context: ctx, shadow: shadow}, dt)
}

// shadowed is ctx with the values of shadow in front of its own.
type shadowed struct {
	context.Context
	shadow context.Context
}

func (c *shadowed) Value(key any) any {
	if v := c.shadow.Value(key); v != nil {
		return v
	}
	return c.Context.Value(key)
}

// DialContext returns d.DialContext with SCTP dials prepared by Context:
// set it as http.Transport.DialContext. Dials that d serves with net.Dialer
// (TCP without OverrideTCP, UDP) get the context as it is, and so report
// to the ClientTrace as net.Dialer does.
func DialContext(d *sctpdial.Dialer) func(ctx context.Context, network, address string) (net.Conn, error) {
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		if isSCTP(network, d.OverrideTCP) {
			ctx = Context(ctx)
		}
		return d.DialContext(ctx, network, address)
	}
}

// isSCTP reports whether d dials network over SCTP (Dialer.OverrideTCP).
func isSCTP(network string, overrideTCP bool) bool {
	switch network {
	case "sctp", "sctp4", "sctp6":
		return true
	case "tcp", "tcp4", "tcp6":
		return overrideTCP
	}
	return false
}

// addrList formats a peer address list as the dial address grammar does.
func addrList(addrs []netip.Addr, port int) string {
	a := &sctp.SCTPAddr{Port: port, IPAddrs: make([]net.IPAddr, len(addrs))}
	for i, ip := range addrs {
		a.IPAddrs[i] = net.IPAddr{IP: ip.AsSlice(), Zone: ip.Zone()}
	}
	return sctpdial.HostPort(a)
}
