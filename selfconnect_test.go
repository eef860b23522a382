package sctpdial

import (
	"net"
	"testing"

	"github.com/ishidawataru/sctp"
	"github.com/stretchr/testify/require"
)

func TestSelfConnect(t *testing.T) {
	addr := func(port int, ips ...string) *sctp.SCTPAddr {
		a := &sctp.SCTPAddr{Port: port}
		for _, ip := range ips {
			a.IPAddrs = append(a.IPAddrs, net.IPAddr{IP: net.ParseIP(ip)})
		}
		return a
	}
	for _, tt := range []struct {
		name        string
		local, peer *sctp.SCTPAddr
		want        bool
	}{
		{"one address, same port", addr(5000, "127.0.0.1"), addr(5000, "127.0.0.1"), true},
		{"one address, other port", addr(5000, "127.0.0.1"), addr(5001, "127.0.0.1"), false},
		{"other address, same port", addr(5000, "127.0.0.1"), addr(5000, "127.0.0.2"), false},
		{"every peer address local", addr(5000, "192.0.2.250", "192.0.2.251", "2001:db8:beef::250"), addr(5000, "192.0.2.251", "192.0.2.250"), true},
		{"one peer address elsewhere", addr(5000, "192.0.2.250", "192.0.2.251"), addr(5000, "192.0.2.251", "198.51.100.1"), false},
		{"IPv4 and its mapped form", addr(5000, "::ffff:192.0.2.250"), addr(5000, "192.0.2.250"), true},
		{"no peer addresses", addr(5000, "127.0.0.1"), addr(5000), false},
		{"nil lists", nil, nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, selfConnect(tt.local, tt.peer))
		})
	}
}
