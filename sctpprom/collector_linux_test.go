package sctpprom_test

import (
	"context"
	"fmt"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/sctpdial/sctpdial"
	"github.com/sctpdial/sctpdial/internal/vmtest"
	"github.com/sctpdial/sctpdial/sctpprom"
	"github.com/sctpdial/sctpdial/sctptest"
	"github.com/stretchr/testify/require"
)

// scrape gathers reg and returns each series' value by seriesKey (a
// histogram's: its sample count).
func scrape(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var kv []string
			for _, lp := range m.GetLabel() {
				kv = append(kv, lp.GetName(), lp.GetValue())
			}
			key := seriesKey(mf.GetName(), kv...)
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				got[key] = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				got[key] = m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				got[key] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return got
}

// TestCollectorLiveAssociation tracks a real two-path association: the
// dial is counted, data shows in the counters, and once the primary
// path's address is gone the retransmissions, that path's state and RTO,
// the maximum RTO and the path notifications move. A refused dial and a
// closed association show too.
func TestCollectorLiveAssociation(t *testing.T) {
	sctptest.RequireGuest(t)
	a, b := sctptest.LocalIPv4A, sctptest.LocalIPv4B
	fast := sctpdial.RTOInfo{Initial: 100 * time.Millisecond, Min: 50 * time.Millisecond, Max: 400 * time.Millisecond}
	paths := sctpdial.PathParams{PathMaxRetrans: 1, HeartbeatInterval: 100 * time.Millisecond}
	initMsg := sctp.InitMsg{NumOstreams: 10, MaxInstreams: 10}
	lc := sctpdial.ListenConfig{InitMsg: initMsg, RTO: fast, PathParams: paths}
	ln, err := lc.ListenSCTP(context.Background(), "sctp", a+","+b+":0")
	require.NoError(t, err)
	defer ln.Close()
	port := sctpdial.Port(ln.Addr())

	col := sctpprom.NewCollector(sctpprom.Opts{})
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(col))
	ctx := sctpdial.WithDialTrace(context.Background(), col.DialTrace())
	d := sctpdial.Dialer{InitMsg: initMsg, RTO: fast, PathParams: paths, Timeout: 10 * time.Second}
	c, err := d.DialSCTP(ctx, "sctp", fmt.Sprintf("%s,%s:%d", a, b, port))
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetNotificationHandler(sctpdial.EventPeerAddrChange, func(sctpdial.Notification) {}))
	peer, err := ln.AcceptSCTP()
	require.NoError(t, err)
	defer peer.Close()
	col.Track(c, "peer-1")

	_, err = d.DialContext(ctx, "sctp", fmt.Sprintf("%s:%d", a, port+1))
	require.ErrorIs(t, err, syscall.ECONNREFUSED)

	buf := make([]byte, 64)
	require.NoError(t, peer.SetReadDeadline(time.Now().Add(15*time.Second)))
	require.NoError(t, c.SetReadDeadline(time.Now().Add(15*time.Second)))
	for i := range 5 {
		_, err := c.WriteMsg([]byte{'a', byte(i)}, &sctpdial.MsgInfo{Stream: 1})
		require.NoError(t, err)
		_, _, err = peer.ReadMsg(buf)
		require.NoError(t, err)
	}
	base := []string{"assoc", "peer-1", "local", sctpdial.HostPort(c.LocalAddr()), "peer", sctpdial.HostPort(c.RemoteAddr())}
	assoc := func(metric string, extra ...string) string { return seriesKey(metric, append(base, extra...)...) }
	pathA := func(metric string, extra ...string) string {
		return assoc(metric, append([]string{"path", a}, extra...)...)
	}
	m := scrape(t, reg)
	require.Equal(t, 1.0, m[seriesKey("sctp_dials_total", "result", "ok")])
	require.Equal(t, 1.0, m[seriesKey("sctp_dials_total", "result", "refused")])
	require.Equal(t, 1.0, m[seriesKey("sctp_dial_init_chunks")], "one successful dial observed")
	require.Equal(t, 5.0, m[assoc("sctp_assoc_data_chunks_sent_total", "delivery", "ordered")], "%v", m)
	// No loss yet; a loaded guest may still retransmit once at a 50 ms
	// RTO.Min, so the check below is that the loss adds retransmissions.
	require.Equal(t, 1.0, m[pathA("sctp_path_state", "state", "ACTIVE")])
	require.Equal(t, 1.0, m[pathA("sctp_path_primary")])
	require.Greater(t, m[pathA("sctp_path_mtu_bytes")], 0.0)
	require.Greater(t, m[pathA("sctp_path_cwnd_bytes")], 0.0)
	require.LessOrEqual(t, m[pathA("sctp_path_rto_seconds")], fast.Max.Seconds())

	// Lose the primary path (and put it back afterwards).
	out, err := exec.Command("/bin/ip", "addr", "del", a+"/32", "dev", "dummy0").CombinedOutput()
	require.NoError(t, err, "%s", out)
	t.Cleanup(func() { require.NoError(t, vmtest.SetUpNetwork()) })
	for i := range 3 {
		_, err := c.WriteMsg([]byte{'c', byte(i)}, &sctpdial.MsgInfo{Stream: 1})
		require.NoError(t, err)
		_, _, err = peer.ReadMsg(buf)
		require.NoError(t, err, "message %d must arrive over the remaining path", i)
	}
	// The path notifications come in through reads.
	for deadline := time.Now().Add(5 * time.Second); c.NotificationCounts().PeerAddrChange == 0 && time.Now().Before(deadline); {
		c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		c.Read(buf)
	}
	after := scrape(t, reg)
	t.Logf("after the loss: retransmitted %v, path %s state ACTIVE %v, rto %v, max rto %v",
		after[assoc("sctp_assoc_retransmitted_chunks_total")], a, after[pathA("sctp_path_state", "state", "ACTIVE")],
		after[pathA("sctp_path_rto_seconds")], after[assoc("sctp_assoc_max_rto_seconds")])
	require.Greater(t, after[assoc("sctp_assoc_retransmitted_chunks_total")], m[assoc("sctp_assoc_retransmitted_chunks_total")],
		"the chunks sent into the lost path went again")
	require.Equal(t, 8.0, after[assoc("sctp_assoc_data_chunks_sent_total", "delivery", "ordered")])
	require.Zero(t, after[pathA("sctp_path_state", "state", "ACTIVE")], "the lost path is no longer active")
	// Each T3-rtx timeout doubles the path's RTO, up to RTO.Max (where a
	// loaded machine's measured round trips may already have put it).
	rtoBefore, rtoAfter := m[pathA("sctp_path_rto_seconds")], after[pathA("sctp_path_rto_seconds")]
	require.True(t, rtoAfter > rtoBefore || rtoAfter == fast.Max.Seconds(), "its RTO backed off: %v → %v", rtoBefore, rtoAfter)
	require.Greater(t, after[assoc("sctp_assoc_max_rto_seconds")], fast.Min.Seconds())
	require.Greater(t, after[assoc("sctp_assoc_notifications_total", "kind", "peer_addr_change")], 0.0)
	problems, err := testutil.GatherAndLint(reg)
	require.NoError(t, err)
	require.Empty(t, problems)

	// A closed association leaves at the next scrape.
	require.NoError(t, c.Close())
	require.Zero(t, testutil.CollectAndCount(col, "sctp_assoc_packets_sent_total"))
	require.Zero(t, col.Tracked())
}
