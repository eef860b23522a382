package sctpprom_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/sctpdial/sctpdial"
	"github.com/sctpdial/sctpdial/sctpprom"
	"github.com/stretchr/testify/require"
)

// fakeAssoc is a Source with fixed figures.
type fakeAssoc struct {
	stats    sctpdial.AssocStats
	statsErr error
	status   sctpdial.Status
	paths    []sctpdial.PathInfo
	notes    sctpdial.NotificationCounts
	local    net.Addr
	remote   net.Addr
}

func (f *fakeAssoc) AssocStats() (sctpdial.AssocStats, error)        { return f.stats, f.statsErr }
func (f *fakeAssoc) Status() (sctpdial.Status, error)                { return f.status, nil }
func (f *fakeAssoc) Paths() ([]sctpdial.PathInfo, error)             { return f.paths, nil }
func (f *fakeAssoc) NotificationCounts() sctpdial.NotificationCounts { return f.notes }
func (f *fakeAssoc) LocalAddr() net.Addr                             { return f.local }
func (f *fakeAssoc) RemoteAddr() net.Addr                            { return f.remote }

func sctpAddr(port int, ips ...string) *sctp.SCTPAddr {
	a := &sctp.SCTPAddr{Port: port}
	for _, ip := range ips {
		a.IPAddrs = append(a.IPAddrs, net.IPAddr{IP: net.ParseIP(ip)})
	}
	return a
}

func ipAddr(s string) net.IPAddr { return net.IPAddr{IP: net.ParseIP(s)} }

// newFake returns an association of two paths, the second one failed.
func newFake() *fakeAssoc {
	return &fakeAssoc{
		stats: sctpdial.AssocStats{
			RetransmittedChunks: 7, GapAcks: 2, OrderedSent: 100, UnorderedSent: 3,
			OrderedReceived: 50, PacketsSent: 120, MaxRTO: 1500 * time.Millisecond,
		},
		status: sctpdial.Status{PeerRWND: 65536, Unacked: 4, Primary: sctpdial.PathInfo{Addr: ipAddr("198.51.100.1")}},
		paths: []sctpdial.PathInfo{
			{Addr: ipAddr("198.51.100.1"), State: sctpdial.PathActive, Cwnd: 4380, SRTT: 12 * time.Millisecond, RTO: 200 * time.Millisecond, MTU: 1500},
			{Addr: ipAddr("198.51.100.2"), State: sctpdial.PathInactive, Cwnd: 1500, RTO: 3 * time.Second, MTU: 1500},
		},
		notes:  sctpdial.NotificationCounts{PeerAddrChange: 3},
		local:  sctpAddr(40000, "192.0.2.1", "192.0.2.2"),
		remote: sctpAddr(3868, "198.51.100.1", "198.51.100.2"),
	}
}

// seriesKey names a series by metric name and label name-value pairs, in
// any order: `name{a="x",b="y"}`, the labels sorted.
func seriesKey(name string, kv ...string) string {
	var pairs []string
	for i := 0; i+1 < len(kv); i += 2 {
		pairs = append(pairs, fmt.Sprintf("%s=%q", kv[i], kv[i+1]))
	}
	slices.Sort(pairs)
	return name + "{" + strings.Join(pairs, ",") + "}"
}

// labelSet formats the labels of the fake association plus extra
// name-value pairs, sorted by name as the exposition has them.
func labelSet(extra ...string) string {
	key := seriesKey("", append([]string{"assoc", "hss-1", "local", "192.0.2.1,192.0.2.2:40000",
		"peer", "198.51.100.1,198.51.100.2:3868"}, extra...)...)
	return key[1 : len(key)-1]
}

// TestCollectorExports checks the exposition of one tracked association
// against what its figures say, and lints it.
func TestCollectorExports(t *testing.T) {
	c := sctpprom.NewCollector(sctpprom.Opts{})
	c.Track(newFake(), "hss-1")
	l := labelSet
	p1 := func(kv ...string) string { return labelSet(append([]string{"path", "198.51.100.1"}, kv...)...) }
	p2 := func(kv ...string) string { return labelSet(append([]string{"path", "198.51.100.2"}, kv...)...) }
	want := `
# HELP sctp_assoc_retransmitted_chunks_total DATA chunks sent again, after a T3-rtx timeout or a fast retransmit (sas_rtxchunks).
# TYPE sctp_assoc_retransmitted_chunks_total counter
sctp_assoc_retransmitted_chunks_total{` + l() + `} 7
# HELP sctp_assoc_data_chunks_sent_total DATA chunks sent, by delivery (sas_oodchunks, sas_ouodchunks).
# TYPE sctp_assoc_data_chunks_sent_total counter
sctp_assoc_data_chunks_sent_total{` + l("delivery", "ordered") + `} 100
sctp_assoc_data_chunks_sent_total{` + l("delivery", "unordered") + `} 3
# HELP sctp_assoc_notifications_total Notifications read from the association, by kind; only subscribed kinds are queued.
# TYPE sctp_assoc_notifications_total counter
sctp_assoc_notifications_total{` + l("kind", "assoc_change") + `} 0
sctp_assoc_notifications_total{` + l("kind", "other") + `} 0
sctp_assoc_notifications_total{` + l("kind", "peer_addr_change") + `} 3
sctp_assoc_notifications_total{` + l("kind", "send_failed") + `} 0
sctp_assoc_notifications_total{` + l("kind", "sender_dry") + `} 0
sctp_assoc_notifications_total{` + l("kind", "shutdown") + `} 0
# HELP sctp_assoc_max_rto_seconds Largest retransmission timeout of any path since the previous scrape (sas_maxrto).
# TYPE sctp_assoc_max_rto_seconds gauge
sctp_assoc_max_rto_seconds{` + l() + `} 1.5
# HELP sctp_assoc_peer_rwnd_bytes The peer's current receive window (sstat_rwnd).
# TYPE sctp_assoc_peer_rwnd_bytes gauge
sctp_assoc_peer_rwnd_bytes{` + l() + `} 65536
# HELP sctp_path_state 1 for the path's current state, 0 for the others.
# TYPE sctp_path_state gauge
sctp_path_state{` + p1("state", "ACTIVE") + `} 1
sctp_path_state{` + p1("state", "INACTIVE") + `} 0
sctp_path_state{` + p1("state", "PF") + `} 0
sctp_path_state{` + p1("state", "UNCONFIRMED") + `} 0
sctp_path_state{` + p1("state", "UNKNOWN") + `} 0
sctp_path_state{` + p2("state", "ACTIVE") + `} 0
sctp_path_state{` + p2("state", "INACTIVE") + `} 1
sctp_path_state{` + p2("state", "PF") + `} 0
sctp_path_state{` + p2("state", "UNCONFIRMED") + `} 0
sctp_path_state{` + p2("state", "UNKNOWN") + `} 0
# HELP sctp_path_primary 1 if the path is the association's primary path.
# TYPE sctp_path_primary gauge
sctp_path_primary{` + p1() + `} 1
sctp_path_primary{` + p2() + `} 0
# HELP sctp_path_srtt_seconds Smoothed round-trip time, at the kernel tick's resolution (spinfo_srtt).
# TYPE sctp_path_srtt_seconds gauge
sctp_path_srtt_seconds{` + p1() + `} 0.012
sctp_path_srtt_seconds{` + p2() + `} 0
# HELP sctp_path_rto_seconds Current retransmission timeout (spinfo_rto).
# TYPE sctp_path_rto_seconds gauge
sctp_path_rto_seconds{` + p1() + `} 0.2
sctp_path_rto_seconds{` + p2() + `} 3
# HELP sctp_path_cwnd_bytes Congestion window (spinfo_cwnd).
# TYPE sctp_path_cwnd_bytes gauge
sctp_path_cwnd_bytes{` + p1() + `} 4380
sctp_path_cwnd_bytes{` + p2() + `} 1500
`
	require.NoError(t, testutil.CollectAndCompare(c, strings.NewReader(want),
		"sctp_assoc_retransmitted_chunks_total", "sctp_assoc_data_chunks_sent_total", "sctp_assoc_notifications_total",
		"sctp_assoc_max_rto_seconds", "sctp_assoc_peer_rwnd_bytes", "sctp_path_state", "sctp_path_primary",
		"sctp_path_srtt_seconds", "sctp_path_rto_seconds", "sctp_path_cwnd_bytes"))

	// 24 association series, 10 per path, and 8 for dials (a counter per
	// result, the INIT histogram, the lookup failures; the duration
	// histogram has none before a dial): the bound the package documents.
	require.Equal(t, 24+2*10+8, testutil.CollectAndCount(c))

	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(c))
	problems, err := testutil.GatherAndLint(reg)
	require.NoError(t, err)
	require.Empty(t, problems)
}

// TestCollectorTracking: untracked associations and ones whose statistics
// fail leave the exposition; two associations are told apart by labels.
func TestCollectorTracking(t *testing.T) {
	c := sctpprom.NewCollector(sctpprom.Opts{Namespace: "s", ConstLabels: prometheus.Labels{"node": "n1"}})
	a, b := newFake(), newFake()
	b.local = sctpAddr(40001, "192.0.2.1")
	c.Track(a, "hss-1")
	c.Track(b, "hss-2")
	c.Track(b, "hss-2") // again: still one
	require.Equal(t, 2, c.Tracked())
	require.Equal(t, 2, testutil.CollectAndCount(c, "s_assoc_retransmitted_chunks_total"))

	c.Untrack(a)
	require.Equal(t, 1, testutil.CollectAndCount(c, "s_assoc_retransmitted_chunks_total"))
	want := `
# HELP s_assoc_gap_ack_blocks_total Gap acknowledgement blocks received in SACKs: TSNs the peer saw missing (sas_gapcnt).
# TYPE s_assoc_gap_ack_blocks_total counter
s_assoc_gap_ack_blocks_total{assoc="hss-2",local="192.0.2.1:40001",node="n1",peer="198.51.100.1,198.51.100.2:3868"} 2
`
	require.NoError(t, testutil.CollectAndCompare(c, strings.NewReader(want), "s_assoc_gap_ack_blocks_total"))

	b.statsErr = &net.OpError{Op: "get", Net: "sctp", Err: os.NewSyscallError("getsockopt", syscall.EINVAL)}
	require.Zero(t, testutil.CollectAndCount(c, "s_assoc_retransmitted_chunks_total", "s_path_state"))
	require.Zero(t, c.Tracked(), "an ended association is dropped")
}

// TestCollectorDials feeds the DialTrace outcomes as a dial would.
func TestCollectorDials(t *testing.T) {
	c := sctpprom.NewCollector(sctpprom.Opts{DialBuckets: []float64{0.1, 1}})
	dt := c.DialTrace()
	refused := &net.OpError{Op: "dial", Net: "sctp", Err: os.NewSyscallError("sctp_connectx", syscall.ECONNREFUSED)}
	dt.ConnectDone(sctpdial.ConnectDoneInfo{Elapsed: 50 * time.Millisecond, INITs: 1})
	dt.ConnectDone(sctpdial.ConnectDoneInfo{Elapsed: 400 * time.Millisecond, INITs: 3})
	dt.ConnectDone(sctpdial.ConnectDoneInfo{Elapsed: 2 * time.Millisecond, Err: refused})
	dt.ResolveDone(sctpdial.ResolveDoneInfo{Host: "a.test", Err: errors.New("no such host")})
	dt.ResolveDone(sctpdial.ResolveDoneInfo{Host: "b.test"})
	want := `
# HELP sctp_dials_total SCTP dials that reached sctp_connectx, by result.
# TYPE sctp_dials_total counter
sctp_dials_total{result="canceled"} 0
sctp_dials_total{result="error"} 0
sctp_dials_total{result="ok"} 2
sctp_dials_total{result="refused"} 1
sctp_dials_total{result="timeout"} 0
sctp_dials_total{result="unreachable"} 0
# HELP sctp_dial_duration_seconds Time from sctp_connectx to the dial's outcome, by result.
# TYPE sctp_dial_duration_seconds histogram
sctp_dial_duration_seconds_bucket{result="ok",le="0.1"} 1
sctp_dial_duration_seconds_bucket{result="ok",le="1"} 2
sctp_dial_duration_seconds_bucket{result="ok",le="+Inf"} 2
sctp_dial_duration_seconds_sum{result="ok"} 0.45
sctp_dial_duration_seconds_count{result="ok"} 2
sctp_dial_duration_seconds_bucket{result="refused",le="0.1"} 1
sctp_dial_duration_seconds_bucket{result="refused",le="1"} 1
sctp_dial_duration_seconds_bucket{result="refused",le="+Inf"} 1
sctp_dial_duration_seconds_sum{result="refused"} 0.002
sctp_dial_duration_seconds_count{result="refused"} 1
# HELP sctp_dial_init_chunks INIT chunks sent by successful dials, the first included: more than one means early addresses stayed silent.
# TYPE sctp_dial_init_chunks histogram
sctp_dial_init_chunks_bucket{le="1"} 1
sctp_dial_init_chunks_bucket{le="2"} 1
sctp_dial_init_chunks_bucket{le="3"} 2
sctp_dial_init_chunks_bucket{le="4"} 2
sctp_dial_init_chunks_bucket{le="6"} 2
sctp_dial_init_chunks_bucket{le="8"} 2
sctp_dial_init_chunks_bucket{le="+Inf"} 2
sctp_dial_init_chunks_sum 4
sctp_dial_init_chunks_count 2
# HELP sctp_dial_lookup_failures_total Host name lookups of SCTP dials that failed (a dial survives some if other hosts resolve).
# TYPE sctp_dial_lookup_failures_total counter
sctp_dial_lookup_failures_total 1
`
	require.NoError(t, testutil.CollectAndCompare(c, strings.NewReader(want)))
	problems, err := testutil.CollectAndLint(c)
	require.NoError(t, err)
	require.Empty(t, problems)
}

// TestResult classifies dial errors.
func TestResult(t *testing.T) {
	op := func(err error) error { return &net.OpError{Op: "dial", Net: "sctp", Err: err} }
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, sctpprom.ResultOK},
		{op(os.NewSyscallError("sctp_connectx", syscall.ECONNREFUSED)), sctpprom.ResultRefused},
		{op(os.NewSyscallError("sctp_connectx", syscall.ETIMEDOUT)), sctpprom.ResultTimeout},
		{op(context.DeadlineExceeded), sctpprom.ResultTimeout},
		{op(context.Canceled), sctpprom.ResultCanceled},
		{op(os.NewSyscallError("sctp_connectx", syscall.ENETUNREACH)), sctpprom.ResultUnreachable},
		{op(os.NewSyscallError("sctp_connectx", syscall.EHOSTUNREACH)), sctpprom.ResultUnreachable},
		{op(os.NewSyscallError("socket", syscall.EMFILE)), sctpprom.ResultError},
	} {
		require.Equal(t, tc.want, sctpprom.Result(tc.err), "%v", tc.err)
	}
}

// TestCollectorBadInput: a name that is not UTF-8 is exported repaired,
// and ConstLabels that clash with the Collector's labels make Register
// fail; neither panics.
func TestCollectorBadInput(t *testing.T) {
	c := sctpprom.NewCollector(sctpprom.Opts{})
	c.Track(newFake(), "hss\xff1")
	want := `
# HELP sctp_assoc_gap_ack_blocks_total Gap acknowledgement blocks received in SACKs: TSNs the peer saw missing (sas_gapcnt).
# TYPE sctp_assoc_gap_ack_blocks_total counter
sctp_assoc_gap_ack_blocks_total{assoc="hss` + "\uFFFD" + `1",local="192.0.2.1,192.0.2.2:40000",peer="198.51.100.1,198.51.100.2:3868"} 2
`
	require.NoError(t, testutil.CollectAndCompare(c, strings.NewReader(want), "sctp_assoc_gap_ack_blocks_total"))

	for _, clash := range []string{"assoc", "path", "result"} {
		c := sctpprom.NewCollector(sctpprom.Opts{ConstLabels: prometheus.Labels{clash: "x"}})
		c.Track(newFake(), "hss-1")
		c.DialTrace().ConnectDone(sctpdial.ConnectDoneInfo{})
		require.Error(t, prometheus.NewRegistry().Register(c), clash)
	}
}

// BenchmarkCollect measures one scrape of 100 tracked associations of two
// paths each (fake sources: the Collector's own cost, without the
// getsockopt calls).
func BenchmarkCollect(b *testing.B) {
	c := sctpprom.NewCollector(sctpprom.Opts{})
	for i := range 100 {
		f := newFake()
		f.local = sctpAddr(40000+i, "192.0.2.1", "192.0.2.2")
		c.Track(f, fmt.Sprintf("peer-%d", i))
	}
	reg := prometheus.NewRegistry()
	require.NoError(b, reg.Register(c))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := reg.Gather(); err != nil {
			b.Fatal(err)
		}
	}
}
