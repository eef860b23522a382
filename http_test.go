package sctpdial

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/sctpdial/sctpdial/internal/vmtest"
	"github.com/stretchr/testify/require"
)

// serveHTTP serves h on l until cleanup, then checks that Serve ended
// because of the shutdown.
func serveHTTP(t testing.TB, l net.Listener, h http.Handler) {
	t.Helper()
	srv := &http.Server{Handler: h, ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		select {
		case err := <-done:
			if !errors.Is(err, http.ErrServerClosed) {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Serve did not return after Close")
		}
	})
}

// TestHTTPOverSCTP serves HTTP/1.1 on a Listener bound to two addresses
// and fetches it with net/http's client over a Dialer with OverrideTCP,
// the multi-homed address standing in the URL's host.
func TestHTTPOverSCTP(t *testing.T) {
	requireGuest(t)
	checkNoLeaks(t)
	l := listenT(t, nil, "sctp", hostPortList(0, vmtest.LocalIPv4A, vmtest.LocalIPv4B))
	port := listenerPort(t, l)

	locals := make(chan net.Addr, 10)
	serveHTTP(t, l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
		select {
		case locals <- local:
		default:
		}
		fmt.Fprintf(w, "hello %s from %s", r.URL.Path, r.RemoteAddr)
	}))

	tr := &http.Transport{DialContext: (&Dialer{OverrideTCP: true}).DialContext}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	raw := "http://" + hostPortList(port, vmtest.LocalIPv4A, vmtest.LocalIPv4B) + "/path"
	u, err := url.Parse(raw)
	require.NoError(t, err)
	require.Equal(t, vmtest.LocalIPv4A+","+vmtest.LocalIPv4B+":"+strconv.Itoa(port), u.Host)
	require.Equal(t, strconv.Itoa(port), u.Port())

	for i := range 3 { // the second and third reuse the kept-alive association
		resp, err := client.Get(raw)
		require.NoError(t, err, "request %d", i)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Regexp(t, `^hello /path from (192\.0\.2\.25[01]/)*192\.0\.2\.25[01]:[0-9]+$`, string(body))
	}

	// What net/http saw as the server's side of the connection.
	requireIPs(t, <-locals, port, vmtest.LocalIPv4A, vmtest.LocalIPv4B)
}

// TestHTTPTCPStaysTCP: without OverrideTCP, "tcp" dials real TCP, also
// through net/http; with it, the same address dials SCTP.
func TestHTTPTCPStaysTCP(t *testing.T) {
	checkNoLeaks(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	serveHTTP(t, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "tcp")
	}))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := (&Dialer{}).DialContext(ctx, "tcp", ln.Addr().String())
	require.NoError(t, err)
	require.IsType(t, &net.TCPConn{}, c)
	require.NoError(t, c.Close())

	tr := &http.Transport{DialContext: (&Dialer{}).DialContext}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get("http://" + ln.Addr().String() + "/")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, "tcp", string(body))

	t.Run("OverrideTCP dials SCTP", func(t *testing.T) {
		requireSCTP(t)
		l := listenT(t, nil, "sctp4", "127.0.0.1:0")
		ch := acceptAsync(l)
		c, err := (&Dialer{OverrideTCP: true}).DialContext(ctx, "tcp", l.Addr().String())
		require.NoError(t, err)
		defer c.Close()
		require.IsType(t, &Conn{}, c)
		acceptT(t, ch)
	})
}
