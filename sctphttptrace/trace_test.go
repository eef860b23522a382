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
	"sync"
	"testing"
	"time"

	"github.com/sctpdial/sctpdial"
	"github.com/sctpdial/sctpdial/sctphttptrace"
	"github.com/stretchr/testify/require"
)

// events records a ClientTrace's network events in order, one string
// each.
type events struct {
	mu  sync.Mutex
	got []string
}

func (e *events) add(format string, args ...any) {
	e.mu.Lock()
	e.got = append(e.got, fmt.Sprintf(format, args...))
	e.mu.Unlock()
}

func (e *events) all() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.got...)
}

func (e *events) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		DNSStart: func(i httptrace.DNSStartInfo) { e.add("DNSStart %s", i.Host) },
		DNSDone: func(i httptrace.DNSDoneInfo) {
			ips := make([]string, len(i.Addrs))
			for j, a := range i.Addrs {
				ips[j] = a.String()
			}
			e.add("DNSDone %v err=%v", ips, i.Err)
		},
		ConnectStart: func(network, addr string) { e.add("ConnectStart %s %s", network, addr) },
		ConnectDone: func(network, addr string, err error) {
			e.add("ConnectDone %s %s err=%v", network, addr, err)
		},
		GotConn: func(i httptrace.GotConnInfo) {
			e.add("GotConn reused=%v remote=%s", i.Reused, sctpdial.HostPort(i.Conn.RemoteAddr()))
		},
	}
}

// TestDialTrace: the ClientTrace's connect hooks get the SCTP network and
// the whole address list in the dial grammar, and the dial's error.
func TestDialTrace(t *testing.T) {
	require.Nil(t, sctphttptrace.DialTrace(nil))
	require.Nil(t, sctphttptrace.DialTrace(&httptrace.ClientTrace{DNSStart: func(httptrace.DNSStartInfo) {}}),
		"no connect hook, no DialTrace")

	var e events
	dt := sctphttptrace.DialTrace(e.trace())
	require.NotNil(t, dt)
	require.Nil(t, dt.ResolveStart, "the resolver calls DNSStart itself")
	require.Nil(t, dt.ResolveDone)
	addrs := []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")}
	dt.ConnectStart(sctpdial.ConnectStartInfo{Network: "sctp", Addrs: addrs, Port: 80})
	refused := errors.New("refused")
	dt.ConnectDone(sctpdial.ConnectDoneInfo{Network: "sctp", Addrs: addrs, Port: 80, Err: refused})
	require.Equal(t, []string{
		"ConnectStart sctp 192.0.2.1,[2001:db8::1]:80",
		"ConnectDone sctp 192.0.2.1,[2001:db8::1]:80 err=refused",
	}, e.all())
}

// TestContextWithoutTrace: a context without a ClientTrace is returned as
// it is, and one with a ClientTrace gets a DialTrace.
func TestContextWithoutTrace(t *testing.T) {
	bg := context.Background()
	require.Equal(t, bg, sctphttptrace.Context(bg))
	require.Nil(t, sctpdial.ContextDialTrace(sctphttptrace.Context(bg)))

	var e events
	ctx := sctphttptrace.Context(httptrace.WithClientTrace(bg, e.trace()))
	require.NotNil(t, sctpdial.ContextDialTrace(ctx))
	deadline := time.Now().Add(time.Hour)
	dctx, cancel := context.WithDeadline(httptrace.WithClientTrace(bg, e.trace()), deadline)
	ctx = sctphttptrace.Context(dctx)
	got, ok := ctx.Deadline()
	require.True(t, ok)
	require.Equal(t, deadline, got, "the deadline stays")
	cancel()
	<-ctx.Done()
	require.ErrorIs(t, ctx.Err(), context.Canceled, "cancellation goes through")
}

// TestContextHidesResolverConnects resolves a name over DNS (a fake server
// on loopback UDP): the trace sees the lookup but not the resolver's
// connection to its server, which it does see without Context.
func TestContextHidesResolverConnects(t *testing.T) {
	dns := startDNS(t, map[string][]netip.Addr{"peer.example.test": {netip.MustParseAddr("192.0.2.1")}})
	r := dns.resolver()
	for _, bridged := range []bool{false, true} {
		var e events
		ctx := httptrace.WithClientTrace(context.Background(), e.trace())
		if bridged {
			ctx = sctphttptrace.Context(ctx)
		}
		got, err := r.LookupNetIP(ctx, "ip4", "peer.example.test")
		require.NoError(t, err)
		require.Equal(t, []netip.Addr{netip.MustParseAddr("192.0.2.1")}, got)
		ev := e.all()
		require.Equal(t, "DNSStart peer.example.test", ev[0])
		require.Equal(t, "DNSDone [192.0.2.1] err=<nil>", ev[len(ev)-1])
		server := dns.pc.LocalAddr().String()
		if bridged {
			require.Len(t, ev, 2, "%q", ev)
		} else {
			require.Contains(t, ev, "ConnectStart udp4 "+server, "the control: net.Dialer reports the DNS connect")
		}
	}
}

// TestDialContextTCP: a TCP dial (no OverrideTCP) is net.Dialer's, and
// reports its connect as net.Dialer does.
func TestDialContextTCP(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	defer func() {
		srv.Close()
		require.ErrorIs(t, <-done, http.ErrServerClosed)
	}()

	tr := &http.Transport{DialContext: sctphttptrace.DialContext(&sctpdial.Dialer{})}
	defer tr.CloseIdleConnections()
	var e events
	ctx := httptrace.WithClientTrace(context.Background(), e.trace())
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+ln.Addr().String()+"/", nil)
	require.NoError(t, err)
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, "ok", string(body))
	a := ln.Addr().String()
	require.Equal(t, []string{
		"ConnectStart tcp " + a,
		"ConnectDone tcp " + a + " err=<nil>",
		"GotConn reused=false remote=" + a,
	}, e.all())
}
