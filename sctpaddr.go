package sctpdial

import (
	"math"
	"net"
	"net/netip"
	"strconv"

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

// zoneIndex turns an IPv6 zone ("eth0" or "2") into a scope id.
func zoneIndex(zone string) (uint32, error) {
	if zone == "" {
		return 0, nil
	}
	if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
		// A numeric zone must name an interface too: the kernel answers
		// an unknown scope id only with EINVAL, after the socket exists.
		if n == 0 || n > math.MaxInt32 {
			return 0, &net.AddrError{Err: "unknown IPv6 zone", Addr: zone}
		}
		if _, err := net.InterfaceByIndex(int(n)); err != nil {
			return 0, &net.AddrError{Err: "unknown IPv6 zone", Addr: zone}
		}
		return uint32(n), nil
	}
	ifi, err := net.InterfaceByName(zone)
	if err != nil {
		return 0, &net.AddrError{Err: "unknown IPv6 zone", Addr: zone}
	}
	return uint32(ifi.Index), nil
}

// checkZones resolves every zone before any socket exists, so that an
// unknown one is a *net.AddrError up front.
func checkZones(addrs []netip.Addr) error {
	for _, a := range addrs {
		if _, err := zoneIndex(a.Zone()); err != nil {
			return err
		}
	}
	return nil
}

// checkLocalAddr validates a Dialer's LocalAddr before any socket exists.
func checkLocalAddr(la *sctp.SCTPAddr) error {
	if la.Port < 0 || la.Port > 65535 {
		return &net.AddrError{Err: "invalid local port", Addr: la.String()}
	}
	for _, ip := range la.IPAddrs {
		a, ok := netip.AddrFromSlice(ip.IP)
		if !ok {
			return &net.AddrError{Err: "invalid local IP address", Addr: la.String()}
		}
		if _, err := zoneIndex(ip.Zone); err != nil {
			return err
		}
		if a.IsMulticast() {
			return &net.AddrError{Err: "multicast local address", Addr: la.String()}
		}
	}
	return nil
}
