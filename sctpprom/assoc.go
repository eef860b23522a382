package sctpprom

import (
	"net"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sctpdial/sctpdial"
)

// assocCounter is one counter series of an association, read from its
// AssocStats; delivery is the value of the delivery label, if any.
type assocCounter struct {
	name, help, delivery string
	get                  func(*sctpdial.AssocStats) uint64
}

var assocCounters = []assocCounter{
	{"retransmitted_chunks_total", "DATA chunks sent again, after a T3-rtx timeout or a fast retransmit (sas_rtxchunks).", "",
		func(s *sctpdial.AssocStats) uint64 { return s.RetransmittedChunks }},
	{"gap_ack_blocks_total", "Gap acknowledgement blocks received in SACKs: TSNs the peer saw missing (sas_gapcnt).", "",
		func(s *sctpdial.AssocStats) uint64 { return s.GapAcks }},
	{"out_of_sequence_tsns_total", "DATA chunks dropped for a TSN beyond the receive map (sas_outofseqtsns).", "",
		func(s *sctpdial.AssocStats) uint64 { return s.OutOfSeqTSNs }},
	{"duplicate_tsns_total", "DATA chunks received twice (sas_idupchunks).", "",
		func(s *sctpdial.AssocStats) uint64 { return s.DuplicateTSNs }},
	{"sacks_sent_total", "SACK chunks sent (sas_osacks).", "",
		func(s *sctpdial.AssocStats) uint64 { return s.SACKsSent }},
	{"sacks_received_total", "SACK chunks received (sas_isacks).", "",
		func(s *sctpdial.AssocStats) uint64 { return s.SACKsReceived }},
	{"control_chunks_sent_total", "Control chunks sent, the handshake's included (sas_octrlchunks).", "",
		func(s *sctpdial.AssocStats) uint64 { return s.ControlSent }},
	{"control_chunks_received_total", "Control chunks received, the handshake's included (sas_ictrlchunks).", "",
		func(s *sctpdial.AssocStats) uint64 { return s.ControlReceived }},
	{"data_chunks_sent_total", "DATA chunks sent, by delivery (sas_oodchunks, sas_ouodchunks).", "ordered",
		func(s *sctpdial.AssocStats) uint64 { return s.OrderedSent }},
	{"data_chunks_sent_total", "", "unordered",
		func(s *sctpdial.AssocStats) uint64 { return s.UnorderedSent }},
	{"data_chunks_received_total", "DATA chunks received, by delivery (sas_iodchunks, sas_iuodchunks).", "ordered",
		func(s *sctpdial.AssocStats) uint64 { return s.OrderedReceived }},
	{"data_chunks_received_total", "", "unordered",
		func(s *sctpdial.AssocStats) uint64 { return s.UnorderedReceived }},
	{"packets_sent_total", "SCTP packets sent (sas_opackets).", "",
		func(s *sctpdial.AssocStats) uint64 { return s.PacketsSent }},
	{"packets_received_total", "SCTP packets received (sas_ipackets).", "",
		func(s *sctpdial.AssocStats) uint64 { return s.PacketsReceived }},
}

// notificationKinds are the kind label's values, in NotificationCounts'
// field order.
var notificationKinds = [...]string{"assoc_change", "peer_addr_change", "send_failed", "shutdown", "sender_dry", "other"}

func notificationValues(n sctpdial.NotificationCounts) [len(notificationKinds)]uint64 {
	return [...]uint64{n.AssocChange, n.PeerAddrChange, n.SendFailed, n.Shutdown, n.SenderDry, n.Other}
}

// pathStates are the state label's values of the path state series.
var pathStates = [...]sctpdial.PathState{sctpdial.PathActive, sctpdial.PathPF, sctpdial.PathInactive,
	sctpdial.PathUnconfirmed, sctpdial.PathUnknown}

// descs are the Collector's association and path descriptors.
type descs struct {
	counters      []*prometheus.Desc // per assocCounters entry (shared by name)
	notifications *prometheus.Desc
	maxRTO        *prometheus.Desc
	peerRWND      *prometheus.Desc
	unacked       *prometheus.Desc
	pending       *prometheus.Desc

	pathState   *prometheus.Desc
	pathPrimary *prometheus.Desc
	pathCwnd    *prometheus.Desc
	pathSRTT    *prometheus.Desc
	pathRTO     *prometheus.Desc
	pathMTU     *prometheus.Desc
}

var (
	assocLabels = []string{"assoc", "local", "peer"}
	pathLabels  = []string{"assoc", "local", "peer", "path"}
)

func newDescs(o Opts) descs {
	assoc := func(name, help string, extra ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(o.Namespace, "assoc", name), help,
			append(assocLabels[:len(assocLabels):len(assocLabels)], extra...), o.ConstLabels)
	}
	path := func(name, help string, extra ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(o.Namespace, "path", name), help,
			append(pathLabels[:len(pathLabels):len(pathLabels)], extra...), o.ConstLabels)
	}
	d := descs{
		notifications: assoc("notifications_total", "Notifications read from the association, by kind; only subscribed kinds are queued.", "kind"),
		maxRTO:        assoc("max_rto_seconds", "Largest retransmission timeout of any path since the previous scrape (sas_maxrto)."),
		peerRWND:      assoc("peer_rwnd_bytes", "The peer's current receive window (sstat_rwnd)."),
		unacked:       assoc("unacked_chunks", "DATA chunks awaiting acknowledgement (sstat_unackdata)."),
		pending:       assoc("pending_chunks", "DATA chunks waiting to be read (sstat_penddata)."),

		pathState:   path("state", "1 for the path's current state, 0 for the others.", "state"),
		pathPrimary: path("primary", "1 if the path is the association's primary path."),
		pathCwnd:    path("cwnd_bytes", "Congestion window (spinfo_cwnd)."),
		pathSRTT:    path("srtt_seconds", "Smoothed round-trip time, at the kernel tick's resolution (spinfo_srtt)."),
		pathRTO:     path("rto_seconds", "Current retransmission timeout (spinfo_rto)."),
		pathMTU:     path("mtu_bytes", "Path MTU (spinfo_mtu)."),
	}
	byName := map[string]*prometheus.Desc{}
	for _, c := range assocCounters {
		if byName[c.name] == nil {
			if c.delivery != "" {
				byName[c.name] = assoc(c.name, c.help, "delivery")
			} else {
				byName[c.name] = assoc(c.name, c.help)
			}
		}
		d.counters = append(d.counters, byName[c.name])
	}
	return d
}

func (d *descs) describe(ch chan<- *prometheus.Desc) {
	seen := map[*prometheus.Desc]bool{}
	for _, c := range d.counters {
		if !seen[c] {
			seen[c] = true
			ch <- c
		}
	}
	for _, c := range []*prometheus.Desc{d.notifications, d.maxRTO, d.peerRWND, d.unacked, d.pending,
		d.pathState, d.pathPrimary, d.pathCwnd, d.pathSRTT, d.pathRTO, d.pathMTU} {
		ch <- c
	}
}

// collectAssoc sends s's metrics, and reports false if its statistics
// could not be read.
func (c *Collector) collectAssoc(ch chan<- prometheus.Metric, s Source, l labels) bool {
	st, err := s.AssocStats()
	if err != nil {
		return false
	}
	d := &c.descs
	lv := []string{l.name, l.local, l.peer}
	for i, ac := range assocCounters {
		v := lv
		if ac.delivery != "" {
			v = append(lv[:3:3], ac.delivery)
		}
		send(ch, d.counters[i], prometheus.CounterValue, float64(ac.get(&st)), v...)
	}
	for i, n := range notificationValues(s.NotificationCounts()) {
		send(ch, d.notifications, prometheus.CounterValue, float64(n), append(lv[:3:3], notificationKinds[i])...)
	}
	send(ch, d.maxRTO, prometheus.GaugeValue, st.MaxRTO.Seconds(), lv...)

	// Status and paths may fail if the association ends meanwhile: its
	// counters are sent all the same.
	var primary net.IP
	if status, err := s.Status(); err == nil {
		primary = status.Primary.Addr.IP
		send(ch, d.peerRWND, prometheus.GaugeValue, float64(status.PeerRWND), lv...)
		send(ch, d.unacked, prometheus.GaugeValue, float64(status.Unacked), lv...)
		send(ch, d.pending, prometheus.GaugeValue, float64(status.Pending), lv...)
	}
	paths, err := s.Paths()
	if err != nil {
		return true
	}
	for _, p := range paths {
		pv := append(lv[:3:3], ipString(p.Addr))
		for _, state := range pathStates {
			send(ch, d.pathState, prometheus.GaugeValue, boolValue(p.State == state), append(pv[:4:4], state.String())...)
		}
		send(ch, d.pathPrimary, prometheus.GaugeValue, boolValue(primary != nil && primary.Equal(p.Addr.IP)), pv...)
		send(ch, d.pathCwnd, prometheus.GaugeValue, float64(p.Cwnd), pv...)
		send(ch, d.pathSRTT, prometheus.GaugeValue, p.SRTT.Seconds(), pv...)
		send(ch, d.pathRTO, prometheus.GaugeValue, p.RTO.Seconds(), pv...)
		send(ch, d.pathMTU, prometheus.GaugeValue, float64(p.MTU), pv...)
	}
	return true
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// ipString formats a path address, IPv4-mapped ones as IPv4.
func ipString(a net.IPAddr) string {
	if v4 := a.IP.To4(); v4 != nil {
		a.IP = v4
	}
	return a.String()
}

// send sends a metric, or, if its values do not fit its descriptor, the
// error as an invalid metric for the registry to report: a scrape never
// panics.
func send(ch chan<- prometheus.Metric, d *prometheus.Desc, t prometheus.ValueType, v float64, lvs ...string) {
	m, err := prometheus.NewConstMetric(d, t, v, lvs...)
	if err != nil {
		m = prometheus.NewInvalidMetric(d, err)
	}
	ch <- m
}
