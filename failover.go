package sctpdial

import "time"

// Failover is how an association gives up on a path and on itself: the
// retransmission timeouts, heartbeats, the potentially-failed (PF) and
// primary switch-over thresholds of RFC 7829, and the association's own
// retransmission limit. Dialer.Failover and ListenConfig.Failover set it
// before the association exists; Conn.SetFailover changes a live one. The
// zero value changes nothing; every zero field keeps the kernel's value.
// FailoverWithin derives all of it from one duration. Each end gives up
// paths for the data it sends, so both ends need the policy.
//
// How Linux uses these values (net/sctp/sm_sideeffect.c,
// sctp_do_8_2_transport_strike): every retransmission timeout of a path,
// and every HEARTBEAT sent while the previous one is unanswered, is a
// strike against that path and against the association. A path whose
// error count exceeds PFThreshold becomes PF: traffic moves to another
// ACTIVE path at once, and the PF path is probed with a HEARTBEAT every
// RTO. A path whose error count exceeds PathMaxRetrans becomes INACTIVE
// (ADDR_UNREACHABLE). When the primary path's count exceeds
// SwitchoverThreshold, the path in use becomes the primary
// (Status().Primary moves) and stays it: the kernel does not move the
// primary back when the old one recovers (SetPrimaryAddr does). Without a
// switch-over (the default), the primary stays where it was and traffic
// returns to it as soon as it answers again. Any answer (SACK,
// HEARTBEAT-ACK) sets the counts back to zero. The association ends, with
// ETIMEDOUT, when its error count reaches AssocMaxRetrans.
//
// PF handling as a whole is switched by the sysctl net.sctp.pf_enable (1 by
// default); there is no socket option for it. Thresholds and ExposePF need
// Linux 5.5 (SCTP_PEER_ADDR_THLDS_V2, SCTP_EXPOSE_POTENTIALLY_FAILED_STATE):
// older kernels refuse them with ENOPROTOOPT.
type Failover struct {
	// RTO bounds the retransmission timeouts (SCTP_RTOINFO), as
	// Dialer.RTO does. Where both set a field, Failover's wins.
	RTO RTOInfo

	// HeartbeatInterval is the time between HEARTBEATs on an idle path
	// (SCTP_PEER_ADDR_PARAMS spp_hbinterval, enabling heartbeats); zero
	// keeps the current interval. It wins over KeepAlive.
	HeartbeatInterval time.Duration

	// Thresholds, if not nil, sets every path's thresholds
	// (SCTP_PEER_ADDR_THLDS_V2). Nil keeps the kernel's.
	Thresholds *PathThresholds

	// AssocMaxRetrans is the association's retransmission limit
	// (SCTP_ASSOCINFO sasoc_asocmaxrxt, net.sctp.association_max_retrans,
	// 10 by default); zero keeps it. On an established association with
	// more than one path the kernel refuses (EINVAL) a limit above the sum
	// of the paths' PathMaxRetrans (sctp_setsockopt_associnfo); before the
	// association exists it accepts any value.
	AssocMaxRetrans uint16

	// ExposePF says whether the PF state is reported
	// (SCTP_EXPOSE_POTENTIALLY_FAILED_STATE); zero keeps the socket's
	// (net.sctp.pf_expose, 0 by default).
	ExposePF PFExpose
}

// PathThresholds are the failure thresholds of a path (struct
// sctp_paddrthlds_v2, SCTP_PEER_ADDR_THLDS_V2; RFC 7829 section 7.2).
// Setting writes PFThreshold and SwitchoverThreshold as given (zero is a
// real threshold for both); a zero PathMaxRetrans keeps the current one.
// The kernel refuses (EINVAL) a PFThreshold above SwitchoverThreshold.
type PathThresholds struct {
	// PathMaxRetrans is the error count past which a path is INACTIVE
	// (spt_pathmaxrxt; net.sctp.path_max_retrans, 5 by default). It is
	// PathParams.PathMaxRetrans under another name.
	PathMaxRetrans uint16
	// PFThreshold is the error count past which a path is potentially
	// failed and traffic moves off it (spt_pathpfthld; net.sctp.pf_retrans,
	// 0 by default: at the first timeout). A value at or above
	// PathMaxRetrans never lets a path become PF.
	PFThreshold uint16
	// SwitchoverThreshold is the error count of the primary path past
	// which the path in use becomes the primary (spt_pathcpthld, the
	// ps_retrans of RFC 7829 section 5; net.sctp.ps_retrans).
	// NoSwitchover, the kernel's default, turns switch-over off.
	SwitchoverThreshold uint16
}

// NoSwitchover is the SwitchoverThreshold that never moves the primary
// path (SCTP_PS_RETRANS_MAX, include/net/sctp/constants.h).
const NoSwitchover = 0xffff

// PFExpose is the SCTP_EXPOSE_POTENTIALLY_FAILED_STATE setting (the
// SCTP_PF_EXPOSE_* values of include/net/sctp/constants.h).
type PFExpose int32

// The PFExpose values.
const (
	// PFExposeDefault (SCTP_PF_EXPOSE_UNSET) keeps what the socket has;
	// read back, it means nobody set it: PF paths read as PF in Paths,
	// but neither ADDR_POTENTIALLY_FAILED nor the ADDR_AVAILABLE of a PF
	// path that recovers is delivered (sctp_assoc_control_transport
	// notifies them only when exposure is on).
	PFExposeDefault PFExpose = 0
	// PFExposeOff (SCTP_PF_EXPOSE_DISABLE) hides PF: no
	// ADDR_POTENTIALLY_FAILED, and SCTP_GET_PEER_ADDR_INFO of a PF path
	// fails with EACCES, as RFC 7829 section 7.3 asks.
	PFExposeOff PFExpose = 1
	// PFExposeOn (SCTP_PF_EXPOSE_ENABLE) reports PF paths and delivers
	// ADDR_POTENTIALLY_FAILED, and ADDR_AVAILABLE when a PF path
	// recovers.
	PFExposeOn PFExpose = 2
)

// String returns "default", "off" or "on".
func (e PFExpose) String() string {
	return enumName(e, []string{"default", "off", "on"}, "PFExpose")
}

// AssocParams are an association's parameters (struct sctp_assocparams,
// SCTP_ASSOCINFO; RFC 6458 section 8.1.2).
type AssocParams struct {
	// MaxRetrans is the association's retransmission limit
	// (sasoc_asocmaxrxt): see Failover.AssocMaxRetrans.
	MaxRetrans uint16
	// PeerDestinations is the number of peer addresses
	// (sasoc_number_peer_destinations).
	PeerDestinations uint16
	// PeerRWND and LocalRWND are the peer's and this end's receive
	// windows in bytes (sasoc_peer_rwnd, sasoc_local_rwnd).
	PeerRWND  uint32
	LocalRWND uint32
	// CookieLife is the lifetime of the state cookie this end hands out
	// (sasoc_cookie_life, in milliseconds).
	CookieLife time.Duration
}

// minFailoverWithin is the smallest bound FailoverWithin honours: the
// kernel waits at least 200 ms (HZ/5) between two HEARTBEATs of a path
// (sctp_transport_timeout), which caps how fast a path can be declared
// failed.
const minFailoverWithin = 600 * time.Millisecond

// minFailoverRTO is FailoverWithin's lowest RTO.Min: above the 200 ms by
// which a peer may delay a SACK (net.sctp.sack_timeout), so that a delayed
// SACK does not look like a lost path.
const minFailoverRTO = 250 * time.Millisecond

// FailoverWithin returns the policy under which a path that stops
// answering while it carries data is abandoned within d: traffic moves to
// another path and that path becomes the primary, so a stream stalls for
// at most d. With D = max(d, 600 ms) it sets
//
//	RTO.Max = RTO.Initial = D/2, RTO.Min = max(D/4, 250 ms)
//	HeartbeatInterval     = D/2
//	PathMaxRetrans 2, PFThreshold 0, SwitchoverThreshold 0
//	AssocMaxRetrans 4
//	ExposePF on
//
// Why: the first retransmission timeout on a path comes within its RTO,
// at most RTO.Max = D/2 after the last answer (RTO.Min stays above the
// 200 ms a peer may hold back its SACK, net.sctp.sack_timeout, so a
// delayed SACK is not taken for a loss); with PFThreshold 0 that
// timeout makes the path PF, so the retransmission and all new data go to
// another path at once, and SwitchoverThreshold 0 makes that path the
// primary. The other half of D covers the new path's round trip (paths
// that never carried data start at RTO.Initial, not the kernel's 3 s).
// The dead path is then probed every RTO (at least every 200 ms, the
// kernel's floor) and reported unreachable (INACTIVE, ADDR_UNREACHABLE)
// after three strikes, within D/2 + 3·max(200 ms, 3·D/4). A path that
// dies while idle is probed every HeartbeatInterval plus up to 1.5 RTOs,
// so its loss is reported within about 4·D. With every path dead the
// association ends (reads and writes fail, the first with ETIMEDOUT)
// after 4 strikes, within 4·max(200 ms, 3·D/4) = 3·D. AssocMaxRetrans 4
// is the largest limit the kernel accepts on a live two-path association
// with PathMaxRetrans 2.
//
// When the old primary answers again it becomes ACTIVE (ADDR_AVAILABLE)
// within HeartbeatInterval + 1.5·RTO.Max = 1.25·D, but it stays secondary: call
// Conn.SetPrimaryAddr to move traffic back, or set SwitchoverThreshold to
// NoSwitchover to keep the primary where it was (traffic then returns to
// it by itself). docs/multihoming.md has the measured numbers.
func FailoverWithin(d time.Duration) Failover {
	d = max(d, minFailoverWithin)
	half := d / 2
	return Failover{
		RTO:               RTOInfo{Initial: half, Max: half, Min: max(d/4, minFailoverRTO)},
		HeartbeatInterval: half,
		Thresholds:        &PathThresholds{PathMaxRetrans: 2, PFThreshold: 0, SwitchoverThreshold: 0},
		AssocMaxRetrans:   4,
		ExposePF:          PFExposeOn,
	}
}

// mergeRTO returns base with the non-zero fields of over.
func mergeRTO(base, over RTOInfo) RTOInfo {
	if over.Initial != 0 {
		base.Initial = over.Initial
	}
	if over.Max != 0 {
		base.Max = over.Max
	}
	if over.Min != 0 {
		base.Min = over.Min
	}
	return base
}
