package sctpdial

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
)

// lookuper is satisfied by *net.Resolver; tests pass a fake.
type lookuper interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// resolveAll resolves every host of hp into the list of peer addresses for
// one association.
//
// IP literals are used as they are; host names are looked up through r
// (net.DefaultResolver if nil), all concurrently and under ctx. Unlike a
// TCP dial, which needs one working address, a multi-homed association
// wants every address of every host, so all records are kept. The result
// is in host order, and within a host in the resolver's order, because the
// first address becomes the primary path. IPv4-mapped addresses are
// unmapped, duplicates are dropped (the first one wins), and addresses SCTP
// cannot use or of the wrong family for network are filtered out.
//
// An empty host list means the local system: 127.0.0.1 for "sctp" and
// "sctp4", ::1 for "sctp6".
//
// Hosts that fail to resolve are skipped as long as some address remains,
// since surviving the loss of some paths is the point of multi-homing. If
// nothing remains, the lookup errors are returned: a single one as is
// (normally a *net.DNSError), several joined with errors.Join. If lookups
// succeeded but left no usable address, the error is a *net.AddrError. If
// ctx is done, ctx.Err() is returned unmapped. More than maxAddrs
// addresses is an error rather than a silent truncation.
func resolveAll(ctx context.Context, r lookuper, network string, hp hostPort) ([]netip.Addr, error) {
	var lookupNet string
	var want4, want6 bool
	switch network {
	case "sctp":
		lookupNet = "ip"
	case "sctp4":
		lookupNet, want4 = "ip4", true
	case "sctp6":
		lookupNet, want6 = "ip6", true
	default:
		return nil, net.UnknownNetworkError(network)
	}

	if len(hp.hosts) == 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if want6 {
			return []netip.Addr{netip.IPv6Loopback()}, nil
		}
		return []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1})}, nil
	}
	// A nil *net.Resolver stored in the interface (a Dialer's unset
	// Resolver field) is not a nil interface; treat both alike.
	if nr, ok := r.(*net.Resolver); r == nil || (ok && nr == nil) {
		r = net.DefaultResolver
	}

	// Each distinct name is looked up once, however often it is listed;
	// DNS names compare case-insensitively.
	var lookups []*lookup
	byName := make(map[string]*lookup)
	perHost := make([]*lookup, len(hp.hosts))
	literals := make([]netip.Addr, len(hp.hosts))
	for i, h := range hp.hosts {
		if ip, err := netip.ParseAddr(h); err == nil {
			literals[i] = ip
			continue
		}
		key := strings.ToLower(h)
		l, ok := byName[key]
		if !ok {
			l = &lookup{host: h}
			byName[key] = l
			lookups = append(lookups, l)
		}
		perHost[i] = l
	}

	if len(lookups) > 0 {
		lookupAll(ctx, r, lookupNet, lookups)
	}

	// Whatever the individual lookups reported, a done context means the
	// dial is over; let the caller map the context's error.
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	var (
		out  []netip.Addr
		seen = make(map[netip.Addr]bool)
		errs []error
	)
	add := func(ip netip.Addr) error {
		ip = ip.Unmap()
		if unusableReason(ip) != "" || (want4 && !ip.Is4()) || (want6 && !ip.Is6()) || seen[ip] {
			return nil
		}
		if len(out) == maxAddrs {
			return &net.AddrError{
				Err:  "too many addresses (more than " + strconv.Itoa(maxAddrs) + ")",
				Addr: joinMultiAddr(hp.hosts, hp.port),
			}
		}
		seen[ip] = true
		out = append(out, ip)
		return nil
	}
	reported := make(map[*lookup]bool)
	for i, l := range perHost {
		if l == nil {
			if err := add(literals[i]); err != nil {
				return nil, err
			}
			continue
		}
		if l.err != nil {
			if !reported[l] {
				reported[l] = true
				errs = append(errs, l.err)
			}
			continue
		}
		for _, ip := range l.addrs {
			if err := add(ip); err != nil {
				return nil, err
			}
		}
	}

	switch {
	case len(out) > 0:
		return out, nil
	case len(errs) == 1:
		return nil, errs[0]
	case len(errs) > 1:
		return nil, errors.Join(errs...)
	}
	return nil, &net.AddrError{Err: "no suitable address found", Addr: joinMultiAddr(hp.hosts, hp.port)}
}

// lookup is one distinct name of an address list and what resolving it
// gave.
type lookup struct {
	host  string
	addrs []netip.Addr
	err   error
}

// lookupAll resolves every name in its own goroutine, all joined before
// returning: the resolver honours ctx, so cancellation ends every lookup
// promptly and nothing outlives the call. A list of literals never gets
// here, so it pays for none of it.
func lookupAll(ctx context.Context, r lookuper, lookupNet string, lookups []*lookup) {
	trace := ContextDialTrace(ctx)
	var wg sync.WaitGroup
	for _, l := range lookups {
		wg.Go(func() {
			trace.resolveStart(l.host)
			l.addrs, l.err = r.LookupNetIP(ctx, lookupNet, l.host)
			trace.resolveDone(l.host, l.addrs, l.err)
		})
	}
	wg.Wait()
}
