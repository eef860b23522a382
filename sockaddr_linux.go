package sctpdial

import (
	"encoding/binary"
	"net"
	"net/netip"
	"strconv"
	"unsafe"

	"github.com/ishidawataru/sctp"
	"golang.org/x/sys/unix"
)

const (
	sizeofSockaddrInet4 = unix.SizeofSockaddrInet4 // 16
	sizeofSockaddrInet6 = unix.SizeofSockaddrInet6 // 28
)

// packSockaddrs lays out addrs as the packed array of sockaddr_in and
// sockaddr_in6 that sctp_connectx(3) and sctp_bindx(3) take. IPv4
// addresses stay sockaddr_in even on an AF_INET6 socket: the kernel accepts
// both there (sctp_connect_add_peer → sctp_verify_addr). Ports are
// big-endian, other fields native, as in RawSockaddrInet4/6.
func packSockaddrs(addrs []netip.Addr, port int) ([]byte, error) {
	n := 0
	for _, a := range addrs {
		if a.Is4() {
			n += sizeofSockaddrInet4
		} else {
			n += sizeofSockaddrInet6
		}
	}
	buf := make([]byte, 0, n)
	for _, a := range addrs {
		if a.Is4() {
			var sa [sizeofSockaddrInet4]byte
			binary.NativeEndian.PutUint16(sa[0:], unix.AF_INET)
			binary.BigEndian.PutUint16(sa[2:], uint16(port))
			ip := a.As4()
			copy(sa[4:8], ip[:])
			buf = append(buf, sa[:]...)
			continue
		}
		scope, err := zoneIndex(a.Zone())
		if err != nil {
			return nil, err
		}
		var sa [sizeofSockaddrInet6]byte
		binary.NativeEndian.PutUint16(sa[0:], unix.AF_INET6)
		binary.BigEndian.PutUint16(sa[2:], uint16(port))
		ip := a.As16()
		copy(sa[8:24], ip[:])
		binary.NativeEndian.PutUint32(sa[24:], scope)
		buf = append(buf, sa[:]...)
	}
	return buf, nil
}

// parseSockaddrs reads count packed sockaddr_in/sockaddr_in6 entries, as
// SCTP_GET_LOCAL_ADDRS and SCTP_GET_PEER_ADDRS return them, into an
// SCTPAddr. It walks count entries rather than trusting the option length,
// which for SCTP_GET_LOCAL_ADDRS leaves out the 8-byte header.
func parseSockaddrs(b []byte, count int) *sctp.SCTPAddr {
	a := &sctp.SCTPAddr{}
	for i := 0; i < count && len(b) >= 2; i++ {
		switch binary.NativeEndian.Uint16(b) {
		case unix.AF_INET:
			if len(b) < sizeofSockaddrInet4 {
				return a
			}
			a.Port = int(binary.BigEndian.Uint16(b[2:]))
			a.IPAddrs = append(a.IPAddrs, net.IPAddr{IP: net.IP(append([]byte(nil), b[4:8]...))})
			b = b[sizeofSockaddrInet4:]
		case unix.AF_INET6:
			if len(b) < sizeofSockaddrInet6 {
				return a
			}
			a.Port = int(binary.BigEndian.Uint16(b[2:]))
			ipa := net.IPAddr{IP: net.IP(append([]byte(nil), b[8:24]...))}
			// The kernel fills sin6_scope_id for every IPv6 address
			// (sctp_v6_copy_addrlist, sctp_v6_from_skb), where TCP does
			// for link-local ones only (ipv6_iface_scope_id); a zone on
			// "2001:db8::1%eth0" would not match the address bound.
			if scope := binary.NativeEndian.Uint32(b[24:]); scope != 0 && ipa.IP.IsLinkLocalUnicast() {
				ipa.Zone = zoneName(scope)
			}
			a.IPAddrs = append(a.IPAddrs, ipa)
			b = b[sizeofSockaddrInet6:]
		default:
			return a
		}
	}
	return a
}

func zoneName(index uint32) string {
	if ifi, err := net.InterfaceByIndex(int(index)); err == nil {
		return ifi.Name
	}
	return strconv.FormatUint(uint64(index), 10)
}

// rawAddrPort reads a sockaddr_in or sockaddr_in6 (as getsockname,
// getpeername and accept4 return them) without allocating, except for the
// zone name of a link-local IPv6 address; IPv4-mapped IPv6 addresses are
// unmapped, as package net shows them. Another family gives the zero
// AddrPort.
func rawAddrPort(rsa *unix.RawSockaddrAny) netip.AddrPort {
	switch rsa.Addr.Family {
	case unix.AF_INET:
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(rsa))
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), ntohs(sa.Port))
	case unix.AF_INET6:
		sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(rsa))
		a := netip.AddrFrom16(sa.Addr)
		if sa.Scope_id != 0 && a.IsLinkLocalUnicast() {
			a = a.WithZone(zoneName(sa.Scope_id))
		}
		return netip.AddrPortFrom(a.Unmap(), ntohs(sa.Port))
	}
	return netip.AddrPort{}
}

// ntohs reads a port as the kernel stores it in a sockaddr (big-endian).
func ntohs(p uint16) uint16 {
	var b [2]byte
	binary.NativeEndian.PutUint16(b[:], p)
	return binary.BigEndian.Uint16(b[:])
}
