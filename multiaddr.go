package sctpdial

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// Limits on what a single dial address may ask for. They are checked
// before any lookup or socket is made, so that a hostile or mistaken
// address string cannot make the dialer do unbounded work.
const (
	// maxAddressLen is the longest address string, in bytes, that
	// parseMultiAddr accepts. 64 hosts of 63 bytes each, with separators
	// and a port, fit comfortably; anything longer is rejected rather than
	// scanned.
	maxAddressLen = 4096

	// maxHosts is the largest number of hosts one address may list. Each
	// host name costs a concurrent DNS lookup, so this also bounds the
	// fan-out of a single dial.
	maxHosts = 64

	// maxAddrs caps the number of resolved addresses handed to the kernel
	// for one association (after de-duplication). 256 × 28-byte
	// sockaddr_in6 = 7 KiB, well under the 64 KiB at which the kernel's
	// setsockopt path would silently truncate the packed address list;
	// exceeding the cap is an error, never a silent truncation.
	maxAddrs = 256
)

// hostPort is a parsed multi-homed dial address.
type hostPort struct {
	// hosts lists the hosts in priority order: the first one supplies the
	// primary path. IP literals are in canonical netip form with brackets
	// stripped and zones kept ("fe80::1%eth0"); IPv4-mapped IPv6 literals
	// are unmapped to IPv4. Host names are kept as written. An empty list
	// means the local system, as for ":port" in package net.
	hosts []string

	// port is the destination port shared by every host, in 1..65535.
	port int
}

// parseMultiAddr parses a dial address of the form "host1,host2,...:port"
// for network "sctp", "sctp4" or "sctp6".
//
// Hosts are separated by ',' or '/'; the latter lets the String form of
// github.com/ishidawataru/sctp's SCTPAddr ("192.0.2.1/[2001:db8::1]:9") be
// dialed back. IPv6 literals must be enclosed in brackets because an
// unbracketed one cannot be told apart from the port. A bare ":port" names
// the local system and yields an empty host list.
//
// All syntax errors, and IP literals that cannot be an SCTP peer or do not
// match the network's address family, are reported as *net.AddrError so a
// bad address fails before any lookup or socket call.
func parseMultiAddr(network, address string) (hostPort, error) {
	var want4, want6 bool
	switch network {
	case "sctp":
	case "sctp4":
		want4 = true
	case "sctp6":
		want6 = true
	default:
		return hostPort{}, net.UnknownNetworkError(network)
	}

	fail := func(msg string) (hostPort, error) {
		return hostPort{}, &net.AddrError{Err: msg, Addr: address}
	}

	if len(address) > maxAddressLen {
		// Echoing megabytes of input into an error message helps nobody;
		// keep enough of it to recognise.
		return hostPort{}, &net.AddrError{
			Err:  "address too long (more than " + strconv.Itoa(maxAddressLen) + " bytes)",
			Addr: address[:64] + "...",
		}
	}
	if address == "" {
		return fail("missing address")
	}
	for i := 0; i < len(address); i++ {
		switch c := address[i]; {
		case c == ' ', '\t' <= c && c <= '\r':
			return fail("unexpected whitespace in address")
		case c < 0x20 || c == 0x7f:
			return fail("invalid control character in address")
		case c >= 0x80:
			// Host names must be ASCII (IDNs go in their punycode form),
			// and this also rules out Unicode spaces and controls.
			return fail("non-ASCII character in address")
		}
	}

	// The port follows the last ':' that is not inside brackets. If the
	// last ':' comes before the last ']', it belongs to an IPv6 literal
	// and there is no port at all.
	colon := strings.LastIndexByte(address, ':')
	if colon < 0 || colon < strings.LastIndexByte(address, ']') {
		return fail("missing port in address")
	}
	list, portStr := address[:colon], address[colon+1:]
	port, ok := parseDialPort(portStr)
	if !ok {
		return fail("invalid port " + strconv.Quote(portStr))
	}

	hp := hostPort{port: port}
	if list == "" {
		return hp, nil
	}

	for rest := list; ; {
		if len(hp.hosts) == maxHosts {
			return fail("too many hosts in address (more than " + strconv.Itoa(maxHosts) + ")")
		}
		var host string
		var bracketed bool
		if rest != "" && rest[0] == '[' {
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return fail("missing ']' in address")
			}
			host, rest = rest[1:end], rest[end+1:]
			if strings.IndexByte(host, '[') >= 0 {
				return fail("unexpected '[' in address")
			}
			if rest != "" && !isHostSep(rest[0]) {
				return fail("unexpected " + strconv.Quote(rest[:1]) + " after ']' in address")
			}
			bracketed = true
		} else {
			end := strings.IndexFunc(rest, func(r rune) bool { return r == ',' || r == '/' })
			if end < 0 {
				end = len(rest)
			}
			host, rest = rest[:end], rest[end:]
			if strings.ContainsAny(host, "[]") {
				return fail("unexpected bracket in address")
			}
		}
		if host == "" {
			return fail("empty host in address list")
		}

		canon, err := checkHost(host, bracketed, want4, want6, portStr)
		if err != "" {
			return fail(err)
		}
		hp.hosts = append(hp.hosts, canon)

		if rest == "" {
			if noSuitableLiteral(hp.hosts, want4, want6) {
				// Same wording as package net for a family mismatch.
				return fail("no suitable address found")
			}
			return hp, nil
		}
		// rest starts with a separator; a separator at the very end, or
		// two in a row, leaves an empty host, caught on the next round.
		rest = rest[1:]
		if rest == "" {
			return fail("empty host in address list")
		}
	}
}

// checkHost validates one host taken from an address list and returns its
// stored form, or a non-empty error message. portStr is used only to give
// a more useful message for an unbracketed IPv6 literal.
func checkHost(host string, bracketed, want4, want6 bool, portStr string) (canon, errMsg string) {
	if bracketed {
		ip, err := netip.ParseAddr(host)
		if err != nil || !ip.Is6() {
			return "", "invalid IPv6 literal " + strconv.Quote(host)
		}
		if ip.Is4In6() && ip.Zone() != "" {
			return "", "zone not allowed on IPv4 address"
		}
		if z := ip.Zone(); z != "" && strings.ContainsAny(z, "%,/:") {
			return "", "invalid zone " + strconv.Quote(z)
		}
		return checkLiteral(ip.Unmap(), want4, want6)
	}

	if strings.IndexByte(host, ':') >= 0 {
		// With the last ':' taken as the port separator, a ':' left in a
		// host is either an unbracketed IPv6 literal or garbage.
		if _, err := netip.ParseAddr(host + ":" + portStr); err == nil {
			return "", "IPv6 literal must be enclosed in brackets"
		}
		if _, err := netip.ParseAddr(host); err == nil {
			return "", "IPv6 literal must be enclosed in brackets"
		}
		return "", "too many colons in address"
	}
	if strings.IndexByte(host, '%') >= 0 {
		return "", "zone allowed only on bracketed IPv6 literal"
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.Is4() && unusableReason(ip) == "" {
			// netip parses only the dotted-decimal form it prints (no
			// leading zeros), so host is already canonical: no copy.
			return host, ""
		}
		return checkLiteral(ip, want4, want6)
	}
	if ip, ok := parseIPv6LiteralName(host); ok {
		return checkLiteral(ip, want4, want6)
	}
	if !isHostName(host) {
		return "", "invalid host name " + strconv.Quote(host)
	}
	return host, ""
}

// noSuitableLiteral reports whether every host is an IP literal and none
// is of the family wanted: then no lookup can help and the address fails
// at once, as package net fails "tcp4" with an IPv6 literal.
func noSuitableLiteral(hosts []string, want4, want6 bool) bool {
	if !want4 && !want6 {
		return false
	}
	for _, h := range hosts {
		ip, err := netip.ParseAddr(h)
		if err != nil || (want4 && ip.Is4()) || (want6 && ip.Is6()) {
			return false
		}
	}
	return true
}

// checkLiteral rejects IP literals that cannot be an SCTP peer and returns
// the canonical form. A literal of the other family is not an error by
// itself: "sctp4" and "sctp6" filter literals as they filter a name's
// records, and only a list with nothing of the family left fails
// (noSuitableLiteral).
func checkLiteral(ip netip.Addr, _, _ bool) (canon, errMsg string) {
	if msg := unusableReason(ip); msg != "" {
		return "", msg
	}
	return ip.String(), ""
}

// unusableReason says why ip can never be the destination of an SCTP
// association, or returns "" if it can. SCTP is unicast only: the
// unspecified, limited broadcast and multicast addresses name no single
// peer.
func unusableReason(ip netip.Addr) string {
	switch {
	case !ip.IsValid():
		return "invalid IP address"
	case ip.WithZone("").IsUnspecified():
		// A zone does not make "::" a peer: netip counts the zone in the
		// comparison, so strip it first.
		return "unspecified address " + ip.String() + " cannot be dialed"
	case ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "broadcast address " + ip.String() + " cannot be dialed"
	case ip.IsMulticast():
		return "multicast address " + ip.String() + " cannot be dialed"
	case ip.Is4() && ip.As4()[0] == 0:
		// "This network" (RFC 1122): the kernel refuses it too
		// (IS_IPV4_UNUSABLE_ADDRESS in sctp_v4_addr_valid), with EINVAL.
		return "address " + ip.String() + " in 0.0.0.0/8 cannot be dialed"
	}
	return ""
}

// parseDialPort parses a decimal port that a dial can connect to. Port 0
// is rejected: unlike a listen, a dial needs a definite destination port.
// Service names are not accepted; there is no portable SCTP services
// database to look them up in.
func parseDialPort(s string) (int, bool) {
	n, ok := parseDecimalPort(s)
	return n, ok && n >= 1
}

// parseDecimalPort parses a non-empty string of at most five decimal
// digits into a port in 0..65535.
func parseDecimalPort(s string) (int, bool) {
	if s == "" || len(s) > 5 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n <= 65535
}

// isHostSep reports whether c separates hosts in an address list.
func isHostSep(c byte) bool { return c == ',' || c == '/' }

// isHostName reports whether s looks like a DNS name: labels of letters,
// digits, '-' and '_' (used by SRV-style and some internal names), each
// 1 to 63 bytes long, not starting or ending with '-', and at most 253
// bytes in total, optionally followed by a single trailing dot.
//
// A name whose last label is all digits, or hexadecimal with a "0x"
// prefix, is rejected: no top-level domain looks like that, and the
// system resolver would read such a string as a numeric IPv4 address in
// the legacy inet_aton forms ("127.1", "0x7f000001", "010.0.0.1"),
// silently dialing somewhere other than the caller meant.
func isHostName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	var last string
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			switch {
			case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
			default:
				return false
			}
		}
		last = label
	}
	return !looksNumeric(last)
}

// looksNumeric reports whether label is all decimal digits or a 0x-prefixed
// hexadecimal number, the label forms inet_aton treats as numbers.
func looksNumeric(label string) bool {
	digits := "0123456789"
	if len(label) >= 2 && label[0] == '0' && (label[1] == 'x' || label[1] == 'X') {
		label = label[2:]
		digits = "0123456789abcdefABCDEF"
		if label == "" {
			return true
		}
	}
	return strings.Trim(label, digits) == ""
}

// joinMultiAddr is the inverse of parseMultiAddr: it formats hosts and port
// as "host1,host2:port", enclosing IPv6 literals (anything containing ':')
// in brackets. With no hosts it returns ":port".
func joinMultiAddr(hosts []string, port int) string {
	var b strings.Builder
	for i, h := range hosts {
		if i > 0 {
			b.WriteByte(',')
		}
		if strings.IndexByte(h, ':') >= 0 {
			b.WriteByte('[')
			b.WriteString(h)
			b.WriteByte(']')
		} else {
			b.WriteString(h)
		}
	}
	b.WriteByte(':')
	b.WriteString(strconv.Itoa(port))
	return b.String()
}

// joinAddrs formats resolved addresses and a port in the same grammar, as
// in "192.0.2.1,[2001:db8::1]:9", for error messages and String methods.
func joinAddrs(addrs []netip.Addr, port int) string {
	hosts := make([]string, len(addrs))
	for i, a := range addrs {
		hosts[i] = a.String()
	}
	return joinMultiAddr(hosts, port)
}
