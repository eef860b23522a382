package sctpdial

import (
	"context"
	"net"

	"github.com/ishidawataru/sctp"
)

// ResolveAddr resolves an address in the grammar of Listen
// ("h1,h2:port"; port 0 allowed; ":port" for no particular address) to a
// *sctp.SCTPAddr with every address of every host, for Dialer.LocalAddr
// or for code written for ishidawataru/sctp. Resolution follows the dial's
// rules (network family filter, host order, duplicates dropped) under ctx.
// Errors are a *net.OpError with Op "resolve" around a *net.AddrError or
// *net.DNSError.
func ResolveAddr(ctx context.Context, network, address string) (*sctp.SCTPAddr, error) {
	fail := func(err error) (*sctp.SCTPAddr, error) {
		return nil, &net.OpError{Op: "resolve", Net: network, Err: err}
	}
	hp, err := parseListenAddr(network, address)
	if err != nil {
		return fail(err)
	}
	if len(hp.hosts) == 0 {
		return &sctp.SCTPAddr{Port: hp.port}, nil
	}
	addrs, err := resolveAll(ctx, nil, network, hp)
	if err != nil {
		return fail(mapCtxErr(err))
	}
	return toSCTPAddr(addrs, hp.port), nil
}
