package sctpdial

import (
	"context"
	"errors"
	"net"
	"os"
	"syscall"
	"testing"
)

var fuzzNetworks = []string{"sctp", "sctp4", "sctp6"}

// FuzzDialRejected: an address the grammar rejects (parseMultiAddr, fuzzed
// for its own properties in multiaddr_test.go) fails to dial with
// *net.AddrError before any lookup or socket: the Dialer's resolver and
// Control hook stay unused.
func FuzzDialRejected(f *testing.F) {
	for _, s := range []string{
		"192.0.2.1:9", "h1,h2:80", "[2001:db8::1],192.0.2.1:9", "[fe80::1%lo]:80",
		"[::%lo]:80", "[fe80::1%999]:80", "[fe80::1%0]:80", "a/b/[::1]:9", "[::ffff:192.0.2.1]:9",
		"h1,,h2:80", "[::1]", "host:0", "host:65536", "x:http", "1.2.3.4,[::1]:9", "0.0.0.0:9",
		"[::]:9", "224.0.0.1:9", "255.255.255.255:9",
	} {
		for i := range fuzzNetworks {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, n uint8, address string) {
		network := fuzzNetworks[int(n)%len(fuzzNetworks)]
		if _, err := parseMultiAddr(network, address); err != nil {
			dialRejected(t, network, address)
		}
	})
}

// dialRejected dials an address the grammar rejected: it must fail with
// *net.AddrError without a lookup or a socket.
func dialRejected(t *testing.T, network, address string) {
	t.Helper()
	var lookups, sockets int
	d := Dialer{
		Resolver: &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
			lookups++
			return nil, errors.New("no lookups in this test")
		}},
		Control: func(string, string, syscall.RawConn) error {
			sockets++
			return errors.New("no sockets in this test")
		},
	}
	c, err := d.DialContext(context.Background(), network, address)
	if c != nil {
		c.Close()
		t.Fatalf("dial %s %q returned a Conn", network, address)
	}
	var ae *net.AddrError
	var se *os.SyscallError
	if !errors.As(err, &ae) || errors.As(err, &se) || lookups+sockets > 0 {
		t.Fatalf("dial %s %q: %v (lookups %d, sockets %d), want a *net.AddrError before any", network, address, err, lookups, sockets)
	}
}
