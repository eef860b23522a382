package sctpdial

import (
	"context"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/ishidawataru/sctp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zonedSCTPAddr is sctpAddrOf with zones ("fe80::1%eth0").
func zonedSCTPAddr(port int, ips ...string) *sctp.SCTPAddr {
	a := &sctp.SCTPAddr{Port: port}
	for _, ip := range ips {
		ip, zone, _ := strings.Cut(ip, "%")
		a.IPAddrs = append(a.IPAddrs, net.IPAddr{IP: net.ParseIP(ip), Zone: zone})
	}
	return a
}

func TestPort(t *testing.T) {
	var nilSCTP *sctp.SCTPAddr
	tests := []struct {
		addr net.Addr
		want int
	}{
		{zonedSCTPAddr(3868, "192.0.2.1"), 3868},
		{&net.TCPAddr{Port: 80}, 80},
		{&net.UDPAddr{Port: 53}, 53},
		{&net.IPAddr{}, 0},
		{nilSCTP, 0},
		{nil, 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Port(tt.addr), "%#v", tt.addr)
	}
}

// TestURLHost checks that each form survives the trip a request takes:
// url.Parse, then net/http's "host:port" for DialContext (the URL's
// Hostname and Port joined as http.Transport's canonicalAddr does), then
// this package's address grammar, ending at the same addresses.
func TestURLHost(t *testing.T) {
	tests := []struct {
		addr     *sctp.SCTPAddr
		hostPort string
		urlHost  string
	}{
		{zonedSCTPAddr(80, "192.0.2.1", "192.0.2.2"), "192.0.2.1,192.0.2.2:80", "192.0.2.1,192.0.2.2:80"},
		{zonedSCTPAddr(80, "2001:db8::1"), "[2001:db8::1]:80", "[2001:db8::1]:80"},
		{zonedSCTPAddr(80, "::ffff:192.0.2.1", "::ffff:192.0.2.2"), "192.0.2.1,192.0.2.2:80", "192.0.2.1,192.0.2.2:80"},
		{zonedSCTPAddr(8080, "2001:db8:beef::250", "2001:db8:beef::251"),
			"[2001:db8:beef::250],[2001:db8:beef::251]:8080",
			"2001-db8-beef--250.ipv6-literal.net,2001-db8-beef--251.ipv6-literal.net:8080"},
		{zonedSCTPAddr(9, "192.0.2.1", "fe80::1%eth0"),
			"192.0.2.1,[fe80::1%eth0]:9",
			"192.0.2.1,fe80--1seth0.ipv6-literal.net:9"},
	}
	for _, tt := range tests {
		t.Run(tt.hostPort, func(t *testing.T) {
			assert.Equal(t, tt.hostPort, HostPort(tt.addr))
			require.Equal(t, tt.urlHost, URLHost(tt.addr))

			u, err := url.Parse("http://" + tt.urlHost + "/p")
			require.NoError(t, err)
			require.Equal(t, tt.urlHost, u.Host)
			require.Equal(t, "/p", u.Path)
			dial := net.JoinHostPort(u.Hostname(), u.Port())
			hp, err := parseMultiAddr("sctp", dial)
			require.NoError(t, err, dial)
			want, err := parseMultiAddr("sctp", tt.hostPort)
			require.NoError(t, err)
			require.Equal(t, want, hp)
		})
	}
	assert.Equal(t, "", HostPort(nil))
	assert.Equal(t, "192.0.2.1:80", URLHost(&net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 80}))
}

// TestSCTPAddrStringInURL shows the trap URLHost avoids: the '/' of
// *sctp.SCTPAddr's String form starts the URL's path.
func TestSCTPAddrStringInURL(t *testing.T) {
	u, err := url.Parse("http://" + zonedSCTPAddr(8080, "192.0.2.1", "192.0.2.2").String() + "/")
	require.NoError(t, err)
	assert.Equal(t, "192.0.2.1", u.Host)
	assert.Equal(t, "", u.Port())
}

func TestResolveAddr(t *testing.T) {
	a, err := ResolveAddr(context.Background(), "sctp", "192.0.2.1,[2001:db8::1]:0")
	require.NoError(t, err)
	assert.Equal(t, "192.0.2.1,[2001:db8::1]:0", HostPort(a))
	a, err = ResolveAddr(context.Background(), "sctp4", "192.0.2.1,[2001:db8::1]:7")
	require.NoError(t, err)
	assert.Equal(t, "192.0.2.1:7", HostPort(a))
	a, err = ResolveAddr(context.Background(), "sctp", ":9")
	require.NoError(t, err)
	assert.Equal(t, 9, a.Port)
	assert.Empty(t, a.IPAddrs)

	_, err = ResolveAddr(context.Background(), "sctp", "192.0.2.1")
	var oe *net.OpError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "resolve", oe.Op)
	var ae *net.AddrError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "missing port in address", ae.Err)
}
