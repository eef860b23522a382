package sctpdial

import (
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/ishidawataru/sctp"
)

// Port returns the port of a: of a *sctp.SCTPAddr (what Conn.LocalAddr,
// Conn.RemoteAddr and Listener.Addr return), a *net.TCPAddr or a
// *net.UDPAddr; 0 for nil and other types. It spares callers a type
// assertion on ishidawataru/sctp's address type, as in
// sctpdial.Port(ln.Addr()).
func Port(a net.Addr) int {
	switch a := a.(type) {
	case *sctp.SCTPAddr:
		if a != nil {
			return a.Port
		}
	case *net.TCPAddr:
		if a != nil {
			return a.Port
		}
	case *net.UDPAddr:
		if a != nil {
			return a.Port
		}
	}
	return 0
}

// HostPort formats an address in this package's grammar,
// "192.0.2.1,[2001:db8::1]:9", which Dialer.DialContext takes back; an
// address other than a *sctp.SCTPAddr is formatted by its String method.
// IPv4-mapped addresses (as an AF_INET6 Listener reports its IPv4 ones)
// are written as IPv4 and zones are kept. Use it rather than the String
// form of *sctp.SCTPAddr ("192.0.2.1/192.0.2.2:9"), which also dials back
// but turns into a path when put into a URL.
func HostPort(a net.Addr) string {
	sa, ok := a.(*sctp.SCTPAddr)
	if !ok || sa == nil {
		if a == nil {
			return ""
		}
		return a.String()
	}
	return joinAddrs(sctpAddrIPs(sa), sa.Port)
}

// URLHost formats an address as the host part of an http or https URL
// that a Dialer with OverrideTCP dials back to every address of it:
//
//	http://192.0.2.1,192.0.2.2:8080/
//	http://[2001:db8::1]:8080/
//	http://2001-db8--1.ipv6-literal.net,2001-db8--2.ipv6-literal.net:8080/
//
// net/url accepts a bracketed IPv6 literal only as the whole host, so when
// an address list holds an IPv6 address and more than one host, each IPv6
// address is written as an ipv6-literal.net name: the literal with '-'
// for ':' and 's' before the zone, the convention of Windows UNC paths.
// The address grammar reads such a name as the literal itself, without a
// DNS lookup. For any other address type URLHost returns HostPort(a).
func URLHost(a net.Addr) string {
	sa, ok := a.(*sctp.SCTPAddr)
	if !ok || sa == nil {
		return HostPort(a)
	}
	ips := sctpAddrIPs(sa)
	if len(ips) <= 1 {
		return joinAddrs(ips, sa.Port)
	}
	hosts := make([]string, len(ips))
	for i, ip := range ips {
		if ip.Is6() {
			hosts[i] = ipv6LiteralName(ip)
		} else {
			hosts[i] = ip.String()
		}
	}
	return strings.Join(hosts, ",") + ":" + strconv.Itoa(sa.Port)
}

// sctpAddrIPs returns the addresses of a, unmapped, zones kept; invalid
// entries are left out.
func sctpAddrIPs(a *sctp.SCTPAddr) []netip.Addr {
	ips := make([]netip.Addr, 0, len(a.IPAddrs))
	for _, ip := range a.IPAddrs {
		if x, ok := netip.AddrFromSlice(ip.IP); ok {
			x = x.Unmap()
			if x.Is6() {
				x = x.WithZone(ip.Zone)
			}
			ips = append(ips, x)
		}
	}
	return ips
}

// ipv6LiteralSuffix is the domain of ipv6-literal.net names (see URLHost).
const ipv6LiteralSuffix = ".ipv6-literal.net"

// ipv6LiteralName writes an IPv6 address as an ipv6-literal.net name:
// "2001:db8::1%eth0" becomes "2001-db8--1seth0.ipv6-literal.net".
func ipv6LiteralName(ip netip.Addr) string {
	s := strings.ReplaceAll(ip.WithZone("").String(), ":", "-")
	if z := ip.Zone(); z != "" {
		s += "s" + z
	}
	return s + ipv6LiteralSuffix
}

// parseIPv6LiteralName reads an ipv6-literal.net name back into the IPv6
// literal it stands for; ok is false for any other host.
func parseIPv6LiteralName(host string) (ip netip.Addr, ok bool) {
	label, found := strings.CutSuffix(strings.ToLower(strings.TrimSuffix(host, ".")), ipv6LiteralSuffix)
	if !found || label == "" || strings.Contains(label, ".") {
		return netip.Addr{}, false
	}
	addr, zone, _ := strings.Cut(label, "s")
	ip, err := netip.ParseAddr(strings.ReplaceAll(addr, "-", ":"))
	if err != nil || !ip.Is6() || ip.Is4In6() {
		return netip.Addr{}, false
	}
	return ip.WithZone(zone), true
}
