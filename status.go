package sctpdial

import (
	"net"
	"strconv"
	"time"
)

// Status is the state of an association (struct sctp_status, SCTP_STATUS;
// RFC 6458 section 8.2.1).
type Status struct {
	AssocID int32
	State   AssocState
	// PeerRWND is the peer's current receive window in bytes
	// (sstat_rwnd).
	PeerRWND uint32
	// Unacked is the number of DATA chunks awaiting acknowledgement
	// (sstat_unackdata).
	Unacked uint16
	// Pending is the number of DATA chunks waiting to be delivered to
	// this side's reader (sstat_penddata).
	Pending uint16
	// InStreams and OutStreams are the stream counts negotiated at
	// INIT (sstat_instrms, sstat_outstrms): MsgInfo.Stream must be below
	// OutStreams.
	InStreams  uint16
	OutStreams uint16
	// FragmentationPoint is the largest user message that goes in one
	// DATA chunk, in bytes (sstat_fragmentation_point).
	FragmentationPoint uint32
	// Primary is the primary path (sstat_primary).
	Primary PathInfo
}

// AssocState is an association state (enum sctp_sstat_state,
// linux/sctp.h; RFC 9260 section 4).
type AssocState int32

// The association states of Status.State. The kernel reports its internal
// state plus one (sctp_assoc_to_state), to match these values.
const (
	StateEmpty            AssocState = 0 // SCTP_EMPTY
	StateClosed           AssocState = 1 // SCTP_CLOSED
	StateCookieWait       AssocState = 2 // SCTP_COOKIE_WAIT
	StateCookieEchoed     AssocState = 3 // SCTP_COOKIE_ECHOED
	StateEstablished      AssocState = 4 // SCTP_ESTABLISHED
	StateShutdownPending  AssocState = 5 // SCTP_SHUTDOWN_PENDING
	StateShutdownSent     AssocState = 6 // SCTP_SHUTDOWN_SENT
	StateShutdownReceived AssocState = 7 // SCTP_SHUTDOWN_RECEIVED
	StateShutdownAckSent  AssocState = 8 // SCTP_SHUTDOWN_ACK_SENT
)

var assocStateNames = [...]string{"EMPTY", "CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED", "ESTABLISHED",
	"SHUTDOWN_PENDING", "SHUTDOWN_SENT", "SHUTDOWN_RECEIVED", "SHUTDOWN_ACK_SENT"}

// String returns the state's name as in RFC 9260, "ESTABLISHED" style.
func (s AssocState) String() string { return enumName(s, assocStateNames[:], "AssocState") }

// PathInfo describes one path: a peer address of the association (struct
// sctp_paddrinfo, SCTP_GET_PEER_ADDR_INFO; RFC 6458 section 8.2.2).
type PathInfo struct {
	Addr  net.IPAddr
	State PathState
	// Cwnd is the congestion window in bytes (spinfo_cwnd).
	Cwnd uint32
	// SRTTRaw is spinfo_srtt as Linux reports it. RFC 6458 says
	// milliseconds, but the kernel copies transport->srtt, kept in jiffies
	// (1/CONFIG_HZ s: 4 ms on a HZ=250 kernel), without converting it
	// (sctp_getsockopt_peer_addr_info), so it is no time.Duration here.
	SRTTRaw uint32
	// SRTT is the smoothed round-trip time: SRTTRaw converted with the
	// kernel's tick rate, which the package measures once per process on
	// the first association asked (see AssocStats). Zero before the
	// path's first round trip is measured, or if the tick rate is
	// unknown; its resolution is one tick (4 ms at HZ=250), so a loopback
	// round trip may read 0. The RTT variation (RTTVAR) is not reported by any socket
	// option.
	SRTT time.Duration
	// RTO is the path's current retransmission timeout (spinfo_rto,
	// converted from jiffies to milliseconds by the kernel).
	RTO time.Duration
	// MTU is the path MTU in bytes (spinfo_mtu).
	MTU uint32
}

// PathState is the reachability of a peer address (enum
// sctp_spinfo_state, linux/sctp.h).
type PathState int32

// The path states of PathInfo.State.
const (
	PathInactive    PathState = 0      // SCTP_INACTIVE: unreachable
	PathPF          PathState = 1      // SCTP_PF: potentially failed (RFC 7829)
	PathActive      PathState = 2      // SCTP_ACTIVE: confirmed and usable
	PathUnconfirmed PathState = 3      // SCTP_UNCONFIRMED: not yet confirmed by a HEARTBEAT
	PathUnknown     PathState = 0xffff // SCTP_UNKNOWN (reported by SCTP_GET_PEER_ADDR_INFO as active)
)

// String returns "ACTIVE" style names.
func (s PathState) String() string {
	switch s {
	case PathInactive:
		return "INACTIVE"
	case PathPF:
		return "PF"
	case PathActive:
		return "ACTIVE"
	case PathUnconfirmed:
		return "UNCONFIRMED"
	case PathUnknown:
		return "UNKNOWN"
	}
	return "PathState(" + strconv.Itoa(int(s)) + ")"
}
