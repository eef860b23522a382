package sctpdial

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/sctpdial/sctpdial/internal/vmtest"
	"github.com/stretchr/testify/require"
)

// TestHTTPURLHostFromListener builds the URL from the listener's own
// address with URLHost, as ExampleDialer_OverrideTCP does, and
// checks that the request reaches the server over an association with
// every listener address as a peer, for IPv4 and IPv6 lists alike.
func TestHTTPURLHostFromListener(t *testing.T) {
	requireGuest(t)
	checkNoLeaks(t)
	for _, tt := range []struct {
		name  string
		addrs []string
	}{
		{"IPv4", []string{vmtest.LocalIPv4A, vmtest.LocalIPv4B}},
		{"IPv6", []string{vmtest.LocalIPv6A, vmtest.LocalIPv6B}},
		{"mixed", []string{vmtest.LocalIPv4A, vmtest.LocalIPv6B}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := listenT(t, nil, "sctp", hostPortList(0, slices.Clone(tt.addrs)...)) // hostPortList brackets in place
			peers := make(chan net.Addr, 1)
			serveHTTP(t, l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, "hello")
			}))
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			tr.DialContext = func(ctx context.Context, network, address string) (net.Conn, error) {
				c, err := (&Dialer{OverrideTCP: true, Timeout: 10 * time.Second}).DialContext(ctx, network, address)
				if err == nil {
					select {
					case peers <- c.RemoteAddr():
					default:
					}
				}
				return c, err
			}
			raw := "http://" + URLHost(l.Addr()) + "/"
			resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get(raw)
			require.NoError(t, err, raw)
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.NoError(t, err)
			require.Equal(t, "hello", string(body))
			requireIPs(t, <-peers, Port(l.Addr()), tt.addrs...)
		})
	}
}
