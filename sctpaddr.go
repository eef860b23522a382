package sctpdial

import (
	"net"
	"net/netip"

	"github.com/ishidawataru/sctp"
)

// toSCTPAddr converts resolved addresses to the ecosystem's address type.
func toSCTPAddr(addrs []netip.Addr, port int) *sctp.SCTPAddr {
	a := &sctp.SCTPAddr{Port: port, IPAddrs: make([]net.IPAddr, len(addrs))}
	for i, ip := range addrs {
		a.IPAddrs[i] = net.IPAddr{IP: net.IP(ip.AsSlice()), Zone: ip.Zone()}
	}
	return a
}
