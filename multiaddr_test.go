package sctpdial

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/ishidawataru/sctp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseMultiAddr(t *testing.T) {
	long63 := strings.Repeat("a", 63)
	tests := []struct {
		network string
		address string
		hosts   []string
		port    int
	}{
		{"sctp", "192.0.2.1:9", []string{"192.0.2.1"}, 9},
		{"sctp", "192.0.2.1,192.0.2.2:65535", []string{"192.0.2.1", "192.0.2.2"}, 65535},
		{"sctp", "[2001:db8::1]:1", []string{"2001:db8::1"}, 1},
		{"sctp", "[2001:db8::1],192.0.2.1:9", []string{"2001:db8::1", "192.0.2.1"}, 9},
		{"sctp", "192.0.2.1,[2001:db8::1]:9", []string{"192.0.2.1", "2001:db8::1"}, 9},
		{"sctp", "[2001:DB8:0:0::1]:9", []string{"2001:db8::1"}, 9},
		{"sctp", "[fe80::1%eth0]:9", []string{"fe80::1%eth0"}, 9},
		{"sctp", "[fe80::1%2],[fe80::2%eth0.100]:9", []string{"fe80::1%2", "fe80::2%eth0.100"}, 9},
		{"sctp", "[::ffff:192.0.2.1]:9", []string{"192.0.2.1"}, 9},
		{"sctp", "192.0.2.1/[::1]:80", []string{"192.0.2.1", "::1"}, 80},
		{"sctp", "a.example/b.example,c.example:80", []string{"a.example", "b.example", "c.example"}, 80},
		{"sctp", "localhost:5000", []string{"localhost"}, 5000},
		{"sctp", "Host-1.Example.COM.:9", []string{"Host-1.Example.COM."}, 9},
		{"sctp", "_sip._sctp.example:9", []string{"_sip._sctp.example"}, 9},
		{"sctp", "1host.example,127.0.0.1:9", []string{"1host.example", "127.0.0.1"}, 9},
		{"sctp", long63 + ".example:9", []string{long63 + ".example"}, 9},
		{"sctp", "a.example,a.example:9", []string{"a.example", "a.example"}, 9},
		{"sctp", ":9", nil, 9},
		{"sctp", ":0009", nil, 9},
		{"sctp4", ":9", nil, 9},
		{"sctp6", ":9", nil, 9},
		{"sctp4", "192.0.2.1,[::ffff:192.0.2.2],name.example:9", []string{"192.0.2.1", "192.0.2.2", "name.example"}, 9},
		{"sctp6", "[2001:db8::1],name.example:9", []string{"2001:db8::1", "name.example"}, 9},
		// Literals of the other family are kept here and filtered with
		// the names' records, as long as one of the family is listed.
		{"sctp4", "192.0.2.1,[::1]:9", []string{"192.0.2.1", "::1"}, 9},
		{"sctp6", "192.0.2.1,[::1]:9", []string{"192.0.2.1", "::1"}, 9},
		{"sctp4", "[::1],name.example:9", []string{"::1", "name.example"}, 9},
		// ipv6-literal.net names are the literals they spell.
		{"sctp", "2001-db8--1.ipv6-literal.net,2001-DB8--2.IPV6-LITERAL.NET.:80", []string{"2001:db8::1", "2001:db8::2"}, 80},
		{"sctp6", "fe80--1seth0.ipv6-literal.net:80", []string{"fe80::1%eth0"}, 80},
		{"sctp", "not-an-address.ipv6-literal.net:80", []string{"not-an-address.ipv6-literal.net"}, 80},
		{"sctp", "10.0.0.1,127.0.0.1,169.254.1.1,[fe80::1%lo]:36412", []string{"10.0.0.1", "127.0.0.1", "169.254.1.1", "fe80::1%lo"}, 36412},
	}
	for _, tt := range tests {
		t.Run(tt.network+"/"+tt.address, func(t *testing.T) {
			hp, err := parseMultiAddr(tt.network, tt.address)
			require.NoError(t, err)
			assert.Equal(t, tt.hosts, hp.hosts)
			assert.Equal(t, tt.port, hp.port)
		})
	}
}

func TestParseMultiAddrMaxHosts(t *testing.T) {
	hosts := make([]string, maxHosts)
	for i := range hosts {
		hosts[i] = "h" + strconv.Itoa(i) + ".example"
	}
	hp, err := parseMultiAddr("sctp", strings.Join(hosts, ",")+":9")
	require.NoError(t, err)
	assert.Len(t, hp.hosts, maxHosts)

	_, err = parseMultiAddr("sctp", strings.Join(append(hosts, "one.more"), ",")+":9")
	var addrErr *net.AddrError
	require.ErrorAs(t, err, &addrErr)
	assert.Contains(t, addrErr.Err, "too many hosts")
}

func TestParseMultiAddrErrors(t *testing.T) {
	label64 := strings.Repeat("a", 64)
	name254 := strings.Repeat(strings.Repeat("a", 62)+".", 4) + "ab" // 4*63 + 2
	tooLong := strings.Repeat("a.", maxAddressLen/2) + "a:9"
	tests := []struct {
		network string
		address string
		want    string // substring of AddrError.Err
	}{
		// Structure.
		{"sctp", "", "missing address"},
		{"sctp", "192.0.2.1", "missing port"},
		{"sctp", "a.example,b.example", "missing port"},
		{"sctp", "[::1]", "missing port"},
		{"sctp", "[::1]:", "invalid port"},
		{"sctp", ":", "invalid port"},
		{"sctp", "a,,b:1", "empty host"},
		{"sctp", ",a:1", "empty host"},
		{"sctp", "a,:1", "empty host"},
		{"sctp", "a/:1", "empty host"},
		{"sctp", "/a:1", "empty host"},
		{"sctp", ",:1", "empty host"},
		{"sctp", "[::1],,[::2]:1", "empty host"},

		// Ports.
		{"sctp", "a.example:http", "invalid port"},
		{"sctp", "a.example:0", "invalid port"},
		{"sctp", "a.example:00000", "invalid port"},
		{"sctp", "a.example:65536", "invalid port"},
		{"sctp", "a.example:123456", "invalid port"},
		{"sctp", "a.example:99999999999999999999", "invalid port"},
		{"sctp", "a.example:-1", "invalid port"},
		{"sctp", "a.example:+1", "invalid port"},
		{"sctp", "a.example:0x10", "invalid port"},

		// Brackets.
		{"sctp", "[::1:9", "missing ']'"},
		{"sctp", "::1]:9", "unexpected bracket"},
		{"sctp", "[[::1]]:9", "unexpected '['"},
		{"sctp", "[::1]]:9", "unexpected \"]\""},
		{"sctp", "[::1]x:9", "after ']'"},
		{"sctp", "a[::1]:9", "unexpected bracket"},
		{"sctp", "[]:9", "empty host"},
		{"sctp", "[192.0.2.1]:9", "invalid IPv6 literal"},
		{"sctp", "[a.example]:9", "invalid IPv6 literal"},
		{"sctp", "[::1,::2]:9", "invalid IPv6 literal"},

		// Bare IPv6 and stray colons.
		{"sctp", "::1:9", "must be enclosed in brackets"},
		{"sctp", "2001:db8::1:9", "must be enclosed in brackets"},
		{"sctp", "192.0.2.1,2001:db8::1:9", "must be enclosed in brackets"},
		{"sctp", "a.example:1:9", "too many colons"},

		// Zones.
		{"sctp", "192.0.2.1%eth0:9", "zone allowed only"},
		{"sctp", "a.example%eth0:9", "zone allowed only"},
		{"sctp", "[fe80::1%]:9", "invalid IPv6 literal"},
		{"sctp", "[::ffff:192.0.2.1%eth0]:9", "zone not allowed on IPv4"},
		{"sctp", "[fe80::1%a,b]:9", "invalid zone"},
		{"sctp", "[fe80::1%a/b]:9", "invalid zone"},

		// Control characters, whitespace, non-ASCII.
		{"sctp", "a.example\x00:9", "control character"},
		{"sctp", "\x00", "control character"},
		{"sctp", "a.example:9\x7f", "control character"},
		{"sctp", "a.example\x1b:9", "control character"},
		{"sctp", " a.example:9", "whitespace"},
		{"sctp", "a.example, b.example:9", "whitespace"},
		{"sctp", "a.example:9 ", "whitespace"},
		{"sctp", "a.example:9\n", "whitespace"},
		{"sctp", "a\t.example:9", "whitespace"},
		{"sctp", "bücher.example:9", "non-ASCII"},
		{"sctp", "a.example\u00a0:9", "non-ASCII"},

		// Sizes.
		{"sctp", tooLong, "too long"},

		// Unusable literals.
		{"sctp", "0.0.0.0:9", "unspecified"},
		{"sctp", "[::]:9", "unspecified"},
		{"sctp", "[::ffff:0.0.0.0]:9", "unspecified"},
		{"sctp", "192.0.2.1,255.255.255.255:9", "broadcast"},
		{"sctp", "224.0.0.1:9", "multicast"},
		{"sctp", "239.255.255.250:9", "multicast"},
		{"sctp", "[ff02::1%eth0]:9", "multicast"},
		{"sctp", "[ff05::2]:9", "multicast"},

		// Family mismatch.
		{"sctp4", "[2001:db8::1]:9", "no suitable address found"},
		{"sctp4", "[::1],[2001:db8::1]:9", "no suitable address found"},
		{"sctp6", "192.0.2.1:9", "no suitable address found"},
		{"sctp6", "[::ffff:192.0.2.1]:9", "no suitable address found"},

		// Host names.
		{"sctp", "a..example:9", "invalid host name"},
		{"sctp", ".example:9", "invalid host name"},
		{"sctp", "a.example..:9", "invalid host name"},
		{"sctp", ".:9", "invalid host name"},
		{"sctp", "-a.example:9", "invalid host name"},
		{"sctp", "a-.example:9", "invalid host name"},
		{"sctp", "a!.example:9", "invalid host name"},
		{"sctp", "a*b:9", "invalid host name"},
		{"sctp", "a\\b:9", "invalid host name"},
		{"sctp", label64 + ".example:9", "invalid host name"},
		{"sctp", name254 + ":9", "invalid host name"},
		{"sctp", "256.1.1.1:9", "invalid host name"},
		{"sctp", "127.1:9", "invalid host name"},
		{"sctp", "010.0.0.1:9", "invalid host name"},
		{"sctp", "0x7f000001:9", "invalid host name"},
		{"sctp", "1234:9", "invalid host name"},
	}
	for _, tt := range tests {
		t.Run(tt.network+"/"+strconv.Quote(tt.address), func(t *testing.T) {
			hp, err := parseMultiAddr(tt.network, tt.address)
			var addrErr *net.AddrError
			require.ErrorAs(t, err, &addrErr, "parsed as %+v", hp)
			assert.Contains(t, addrErr.Err, tt.want)
			if len(tt.address) <= maxAddressLen {
				assert.Equal(t, tt.address, addrErr.Addr)
			} else {
				assert.Less(t, len(addrErr.Addr), 100, "oversized address echoed in error")
			}
		})
	}
}

func TestParseMultiAddrHostNameLimits(t *testing.T) {
	// 253 bytes is the longest name; a trailing dot does not count.
	name253 := strings.Repeat(strings.Repeat("a", 62)+".", 4) + "a"
	require.Len(t, name253, 253)
	for _, addr := range []string{name253 + ":9", name253 + ".:9"} {
		_, err := parseMultiAddr("sctp", addr)
		assert.NoError(t, err)
	}
}

func TestParseMultiAddrUnknownNetwork(t *testing.T) {
	for _, network := range []string{"", "tcp", "udp", "sctp7", "SCTP", "ip"} {
		_, err := parseMultiAddr(network, "192.0.2.1:9")
		var unknown net.UnknownNetworkError
		require.ErrorAs(t, err, &unknown, "network %q", network)
		assert.Equal(t, network, string(unknown))
	}
}

// The String form of ishidawataru/sctp's SCTPAddr must dial back to the
// same addresses.
func TestParseMultiAddrSCTPAddrString(t *testing.T) {
	tests := []struct {
		network string
		addr    *sctp.SCTPAddr
		hosts   []string
	}{
		{
			"sctp",
			&sctp.SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.ParseIP("192.0.2.1")}}, Port: 80},
			[]string{"192.0.2.1"},
		},
		{
			"sctp",
			&sctp.SCTPAddr{IPAddrs: []net.IPAddr{
				{IP: net.ParseIP("192.0.2.1")},
				{IP: net.ParseIP("::1")},
				{IP: net.ParseIP("2001:db8::5")},
			}, Port: 36412},
			[]string{"192.0.2.1", "::1", "2001:db8::5"},
		},
		{
			"sctp",
			&sctp.SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.ParseIP("fe80::1"), Zone: "eth0"}}, Port: 9},
			[]string{"fe80::1%eth0"},
		},
		{
			"sctp4",
			&sctp.SCTPAddr{IPAddrs: []net.IPAddr{
				{IP: net.IPv4(10, 0, 0, 1)}, // 16-byte form, printed as IPv4
				{IP: net.IPv4(10, 0, 0, 2).To4()},
			}, Port: 9},
			[]string{"10.0.0.1", "10.0.0.2"},
		},
		{
			"sctp6",
			&sctp.SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.ParseIP("2001:db8::1")}, {IP: net.ParseIP("2001:db8::2")}}, Port: 9},
			[]string{"2001:db8::1", "2001:db8::2"},
		},
	}
	for _, tt := range tests {
		s := tt.addr.String()
		t.Run(s, func(t *testing.T) {
			hp, err := parseMultiAddr(tt.network, s)
			require.NoError(t, err)
			assert.Equal(t, tt.hosts, hp.hosts)
			assert.Equal(t, tt.addr.Port, hp.port)
		})
	}
}

func TestJoinMultiAddr(t *testing.T) {
	tests := []struct {
		hosts []string
		port  int
		want  string
	}{
		{nil, 9, ":9"},
		{[]string{"192.0.2.1"}, 9, "192.0.2.1:9"},
		{[]string{"2001:db8::1"}, 9, "[2001:db8::1]:9"},
		{[]string{"192.0.2.1", "2001:db8::1", "a.example"}, 80, "192.0.2.1,[2001:db8::1],a.example:80"},
		{[]string{"fe80::1%eth0"}, 9, "[fe80::1%eth0]:9"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := joinMultiAddr(tt.hosts, tt.port)
			assert.Equal(t, tt.want, got)
			hp, err := parseMultiAddr("sctp", got)
			require.NoError(t, err)
			assert.Equal(t, tt.hosts, hp.hosts)
			assert.Equal(t, tt.port, hp.port)
		})
	}
}

func TestJoinAddrsMultiAddr(t *testing.T) {
	addrs := mustAddrs(t, "192.0.2.1", "2001:db8::1", "fe80::1%eth0")
	assert.Equal(t, "192.0.2.1,[2001:db8::1],[fe80::1%eth0]:9", joinAddrs(addrs, 9))
	assert.Equal(t, ":9", joinAddrs(nil, 9))
}

func FuzzParseMultiAddr(f *testing.F) {
	for _, s := range []string{
		"192.0.2.1:9",
		"[2001:db8::1],192.0.2.1:9",
		"[fe80::1%eth0]:9",
		"a.example/b.example:80",
		"192.0.2.1/[::1]:80",
		"[::ffff:192.0.2.1]:9",
		":9",
		"a,,b:1",
		"[::1]",
		"::1:9",
		"0x7f000001:9",
	} {
		f.Add("sctp", s)
	}
	f.Add("sctp4", "192.0.2.1,[::1]:9")
	f.Add("sctp6", "[::1],a.example:9")
	f.Fuzz(func(t *testing.T, network, address string) {
		hp, err := parseMultiAddr(network, address)
		if err != nil {
			var addrErr *net.AddrError
			var unknown net.UnknownNetworkError
			if !errors.As(err, &addrErr) && !errors.As(err, &unknown) {
				t.Fatalf("parseMultiAddr(%q, %q): unexpected error type %T: %v", network, address, err, err)
			}
			return
		}
		if len(hp.hosts) > maxHosts || hp.port < 1 || hp.port > 65535 {
			t.Fatalf("parseMultiAddr(%q, %q) = %+v: out of bounds", network, address, hp)
		}
		joined := joinMultiAddr(hp.hosts, hp.port)
		hp2, err := parseMultiAddr(network, joined)
		if err != nil {
			t.Fatalf("parseMultiAddr(%q, %q) = %+v, but its join %q does not parse: %v", network, address, hp, joined, err)
		}
		if !assert.ObjectsAreEqual(hp, hp2) {
			t.Fatalf("round trip of %q via %q: got %+v, want %+v", address, joined, hp2, hp)
		}
	})
}
