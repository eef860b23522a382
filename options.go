package sctpdial

import "time"

// RTOInfo holds the retransmission timeout bounds of an association
// (struct sctp_rtoinfo, SCTP_RTOINFO; RFC 6458 section 8.1.1). The option
// speaks milliseconds: durations are rounded up to the next millisecond.
// A socket's defaults (before connecting, or a listener's) are kept in
// milliseconds, but an association keeps its values in jiffies
// (msecs_to_jiffies in sctp_association_init and sctp_setsockopt_rtoinfo),
// so what an association reads back is rounded up to the kernel's tick:
// on a HZ=250 kernel (4 ms ticks) a Min of 50 ms reads back as 52 ms.
// When setting, a zero field keeps the current value.
type RTOInfo struct {
	// Initial is the RTO before any round trip has been measured
	// (RTO.Initial, default net.sctp.rto_initial, 3 s).
	Initial time.Duration
	// Max bounds the RTO from above (RTO.Max, net.sctp.rto_max, 60 s).
	Max time.Duration
	// Min bounds the RTO from below (RTO.Min, net.sctp.rto_min, 1 s).
	Min time.Duration
}

// PathParams are the per-path parameters of an association, applied to
// every path (struct sctp_paddrparams, SCTP_PEER_ADDR_PARAMS; RFC 6458
// section 8.1.12). When setting, zero fields keep the current values.
type PathParams struct {
	// HeartbeatInterval is the time between HEARTBEATs on an idle path
	// (spp_hbinterval, rounded up to a millisecond; the kernel adds the
	// path's RTO and some jitter). Setting a non-zero interval also
	// enables heartbeats.
	HeartbeatInterval time.Duration

	// HeartbeatDisabled reports heartbeats off (SPP_HB_DISABLE); setting
	// it true turns them off and ignores HeartbeatInterval.
	HeartbeatDisabled bool

	// PathMaxRetrans is the number of retransmissions after which a path
	// is considered unreachable (spp_pathmaxrxt, Path.Max.Retrans,
	// default net.sctp.path_max_retrans, 5).
	PathMaxRetrans uint16

	// PathMTU is the association's path MTU in bytes (spp_pathmtu). It is
	// only reported: setting ignores it.
	PathMTU uint32
}
