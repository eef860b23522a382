package netlab_test

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/sctpdial/sctpdial/internal/netlab"
	"github.com/stretchr/testify/require"
)

// requireLab is netlab.Require.
var requireLab = netlab.Require

// udpReach sends one datagram from one namespace's address to the other's
// over UDP and reports whether it arrived within d, and how long it took.
func udpReach(t *testing.T, src, dst *netlab.NS, from, to netip.Addr, d time.Duration) (bool, time.Duration) {
	t.Helper()
	var srv *net.UDPConn
	require.NoError(t, dst.Do(func() (err error) {
		srv, err = net.ListenUDP("udp", &net.UDPAddr{IP: to.AsSlice()})
		return err
	}))
	defer srv.Close()
	var cli *net.UDPConn
	err := src.Do(func() (err error) {
		cli, err = net.ListenUDP("udp", &net.UDPAddr{IP: from.AsSlice()})
		return err
	})
	require.NoError(t, err)
	defer cli.Close()
	// Through a blackhole route the send fails at once (EINVAL): a cut.
	start := time.Now()
	if _, err := cli.WriteTo([]byte("x"), srv.LocalAddr()); err != nil {
		return false, 0
	}
	srv.SetReadDeadline(time.Now().Add(d))
	_, _, err = srv.ReadFrom(make([]byte, 8))
	return err == nil, time.Since(start)
}

// reach reports whether path i passes a datagram in both directions.
func reach(t *testing.T, lab *netlab.Lab, i int, d time.Duration) (there, back bool) {
	t.Helper()
	p := lab.Paths[i]
	there, _ = udpReach(t, lab.Client, lab.Server, p.Client, p.Server, d)
	back, _ = udpReach(t, lab.Server, lab.Client, p.Server, p.Client, d)
	return there, back
}

func TestLabPathsCutRestore(t *testing.T) {
	requireLab(t)
	for _, f := range []netlab.Family{netlab.IPv4, netlab.IPv6, netlab.Mixed} {
		t.Run(f.String(), func(t *testing.T) {
			lab := netlab.Start(t, f)
			for i, p := range lab.Paths {
				require.True(t, p.Prefix.Contains(p.Client) && p.Prefix.Contains(p.Server), "path %d: %+v", i, p)
				there, back := reach(t, lab, i, 2*time.Second)
				require.True(t, there && back, "path %d does not pass traffic both ways (%v, %v)", i, there, back)
			}
			require.NoError(t, lab.Cut(0))
			there, back := reach(t, lab, 0, 300*time.Millisecond)
			require.False(t, there || back, "cut path 0 still passes traffic (%v, %v)", there, back)
			there, back = reach(t, lab, 1, 2*time.Second)
			require.True(t, there && back, "path 1 must stay up while path 0 is cut")
			require.NoError(t, lab.Restore(0))
			there, back = reach(t, lab, 0, 2*time.Second)
			require.True(t, there && back, "restored path 0 does not pass traffic both ways (%v, %v)", there, back)
		})
	}
}

func TestLabImpair(t *testing.T) {
	requireLab(t)
	lab := netlab.Start(t, netlab.IPv4)
	p := lab.Paths[1]
	require.NoError(t, lab.Impair(1, netlab.Impairment{Delay: 80 * time.Millisecond}))
	ok, took := udpReach(t, lab.Client, lab.Server, p.Client, p.Server, 2*time.Second)
	require.True(t, ok)
	require.GreaterOrEqual(t, took, 80*time.Millisecond, "netem delay not applied")
	ok, took = udpReach(t, lab.Server, lab.Client, p.Server, p.Client, 2*time.Second)
	require.True(t, ok)
	require.GreaterOrEqual(t, took, 80*time.Millisecond, "netem delay not applied on the server's end")

	require.NoError(t, lab.Impair(1, netlab.Impairment{Loss: 100}))
	there, back := reach(t, lab, 1, 300*time.Millisecond)
	require.False(t, there || back, "100%% loss still passes traffic")
	require.Error(t, lab.Impair(1, netlab.Impairment{Loss: 101}), "bad impairments are refused")
	require.NoError(t, lab.Restore(1))
	there, back = reach(t, lab, 1, 2*time.Second)
	require.True(t, there && back, "Restore removes netem")
}
