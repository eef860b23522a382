package sctpdial

import "strings"

// Features are the protocol extensions an association negotiated in its
// handshake, as the kernel reports them for the association: each is true
// only when this end had it enabled and the peer offered it in its INIT or
// INIT-ACK. What an end offers comes from sysctls (net.sctp.prsctp_enable,
// reconf_enable, intl_enable, addip_enable, auth_enable, ecn_enable) or
// the matching socket options set before the handshake.
type Features struct {
	// PartialReliability is PR-SCTP (RFC 3758, FORWARD-TSN;
	// SCTP_PR_SUPPORTED): messages may be abandoned after a lifetime or a
	// number of retransmissions.
	PartialReliability bool
	// StreamReconfig is stream reconfiguration (RFC 6525, RE-CONFIG;
	// SCTP_RECONFIG_SUPPORTED): resetting and adding streams.
	StreamReconfig bool
	// Interleaving is user message interleaving (RFC 8260, I-DATA;
	// SCTP_INTERLEAVING_SUPPORTED). Besides net.sctp.intl_enable, Linux
	// offers it only on sockets with SCTP_FRAGMENT_INTERLEAVE 2 and
	// SCTP_INTERLEAVING_SUPPORTED 1 (Documentation/networking/ip-sysctl.rst).
	Interleaving bool
	// ASCONF is dynamic address reconfiguration (RFC 5061;
	// SCTP_ASCONF_SUPPORTED): adding and removing addresses of a live
	// association.
	ASCONF bool
	// AUTH is authenticated chunks (RFC 4895; SCTP_AUTH_SUPPORTED), which
	// Linux requires for ASCONF unless net.sctp.addip_noauth_enable is set.
	AUTH bool
	// ECN is explicit congestion notification (RFC 9260 appendix A;
	// SCTP_ECN_SUPPORTED).
	ECN bool
	// Unknown names the features this kernel does not report (its
	// getsockopt answers ENOPROTOOPT, as kernels that predate the option
	// do); their fields are false.
	Unknown []string
}

// featureNames are the short names String prints, in field order.
var featureNames = [...]string{"PR-SCTP", "RECONFIG", "I-DATA", "ASCONF", "AUTH", "ECN"}

func (f *Features) fields() [len(featureNames)]*bool {
	return [...]*bool{&f.PartialReliability, &f.StreamReconfig, &f.Interleaving, &f.ASCONF, &f.AUTH, &f.ECN}
}

// String lists the negotiated features by their usual names, "PR-SCTP
// ECN" style ("none" when there are none), followed by "(unknown: ...)"
// for features the kernel did not report.
func (f Features) String() string {
	var on []string
	for i, p := range f.fields() {
		if *p {
			on = append(on, featureNames[i])
		}
	}
	s := "none"
	if len(on) > 0 {
		s = strings.Join(on, " ")
	}
	if len(f.Unknown) > 0 {
		s += " (unknown: " + strings.Join(f.Unknown, " ") + ")"
	}
	return s
}
