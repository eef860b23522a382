package sctphttptrace_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sctpdial/sctpdial"
	"github.com/sctpdial/sctpdial/sctphttptrace"
	"github.com/sctpdial/sctpdial/sctptest"
	"github.com/stretchr/testify/require"
)

// TestHTTPTraceOverSCTP fetches from an http.Server on a two-address SCTP
// listener, through a name whose first address is silent, with
// http.Client tracing: the ClientTrace sees the lookup, one connect with
// the whole address list, and the association; a kept-alive request sees
// only GotConn; a refused dial reaches ConnectDone with its error.
func TestHTTPTraceOverSCTP(t *testing.T) {
	sctptest.RequireGuest(t)
	a, b, silent := sctptest.LocalIPv4A, sctptest.LocalIPv4B, sctptest.SilentIPv4
	l, err := sctpdial.Listen("sctp", a+","+b+":0")
	require.NoError(t, err)
	port := sctpdial.Port(l.Addr())
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	})}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	defer func() {
		srv.Close()
		require.ErrorIs(t, <-served, http.ErrServerClosed)
	}()

	const name = "peer.example.test"
	dns := startDNS(t, map[string][]netip.Addr{name: {netip.MustParseAddr(silent), netip.MustParseAddr(a)}})
	d := &sctpdial.Dialer{
		OverrideTCP: true,
		Resolver:    dns.resolver(),
		// Retransmit the INIT to the second address quickly.
		RTO: sctpdial.RTOInfo{Initial: 100 * time.Millisecond, Min: 50 * time.Millisecond, Max: 200 * time.Millisecond},
	}
	tr := &http.Transport{DialContext: sctphttptrace.DialContext(d)}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	get := func(url string) ([]string, error) {
		var e events
		ctx := httptrace.WithClientTrace(context.Background(), e.trace())
		req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
		require.NoError(t, err)
		resp, err := client.Do(req)
		if err == nil {
			var body []byte
			body, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			require.Equal(t, "hello", string(body))
		}
		return e.all(), err
	}

	url := fmt.Sprintf("http://%s:%d/", name, port)
	ev, err := get(url)
	require.NoError(t, err)
	list := fmt.Sprintf("%s,%s:%d", silent, a, port)
	require.Len(t, ev, 5, "%q", ev)
	require.Equal(t, []string{
		"DNSStart " + name,
		"DNSDone [" + silent + " " + a + "] err=<nil>",
		"ConnectStart sctp " + list,
		"ConnectDone sctp " + list + " err=<nil>",
	}, ev[:4], "no connect of the resolver to its DNS server")
	// The association's peers: the listener's two addresses, not the
	// silent one.
	remote, ok := strings.CutPrefix(ev[4], "GotConn reused=false remote=")
	require.True(t, ok, ev[4])
	require.ElementsMatch(t, []string{a, b}, strings.Split(strings.TrimSuffix(remote, fmt.Sprintf(":%d", port)), ","))

	ev, err = get(url)
	require.NoError(t, err)
	require.Len(t, ev, 1, "%q", ev)
	require.True(t, strings.HasPrefix(ev[0], "GotConn reused=true "), ev[0])

	// A refused dial: a port number the kernel found free for UDP, on
	// which nothing in this fresh guest listens for SCTP either.
	ln2, err := net.ListenPacket("udp4", a+":0")
	require.NoError(t, err)
	free := ln2.LocalAddr().(*net.UDPAddr).Port
	ln2.Close()
	ev, err = get(fmt.Sprintf("http://%s:%d/", b, free))
	require.ErrorIs(t, err, syscall.ECONNREFUSED)
	bad := fmt.Sprintf("%s:%d", b, free)
	require.Len(t, ev, 2, "%q", ev)
	require.Equal(t, "ConnectStart sctp "+bad, ev[0], "an IP literal needs no lookup")
	var opErr *net.OpError
	require.True(t, errors.As(err, &opErr))
	require.Equal(t, "ConnectDone sctp "+bad+" err="+opErr.Error(), ev[1])
}
