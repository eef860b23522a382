package main

import (
	"context"
	"net/netip"
	"strings"

	"github.com/ishidawataru/sctp"
	"github.com/sctpdial/sctpdial"
)

// bracketList puts brackets around the bare IPv6 literals of a
// comma-separated host list without a port ("2001:db8::1,192.0.2.1"), so
// that a port can follow: flags such as -local and -addrs take hosts only.
func bracketList(list string) string {
	hosts := strings.Split(list, ",")
	for i, h := range hosts {
		if ip, err := netip.ParseAddr(h); err == nil && ip.Is6() {
			hosts[i] = "[" + h + "]"
		}
	}
	return strings.Join(hosts, ",")
}

// localAddr resolves -local: hosts, with or without a port.
func localAddr(ctx context.Context, network, list string) (*sctp.SCTPAddr, error) {
	if a, err := sctpdial.ResolveAddr(ctx, network, list); err == nil {
		return a, nil
	}
	return sctpdial.ResolveAddr(ctx, network, bracketList(list)+":0")
}
