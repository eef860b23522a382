package sctpdial

import (
	"errors"
	"strings"
)

// ErrNoAddressChanges is matched (errors.Is) by the error of
// Conn.AddLocalAddrs, Conn.RemoveLocalAddrs and Conn.SetPeerPrimary when
// the association cannot change its addresses: ASCONF (RFC 5061) is off on
// this side or the peer did not negotiate it. The error itself is an
// *AddressChangeError that says what to switch on.
var ErrNoAddressChanges = errors.New("sctpdial: the association cannot change its addresses (ASCONF, RFC 5061)")

// AddressChangeError is why an association cannot change its addresses,
// found before anything is sent. The kernel would not say: without ASCONF
// sctp_bindx(3) on a live socket changes only the local endpoint and tells
// the peer nothing.
type AddressChangeError struct {
	// Off lists the settings of this side that are off, as read from
	// /proc/sys in the calling thread's network namespace (for example
	// "net.sctp.addip_enable"). Empty when this side offered ASCONF.
	Off []string
	// Peer reports that this side offered ASCONF and AUTH but the peer did
	// not take them up in the handshake.
	Peer bool
}

// Error says what is off and how to switch it on.
func (e *AddressChangeError) Error() string {
	var b strings.Builder
	b.WriteString(ErrNoAddressChanges.Error())
	switch {
	case len(e.Off) > 0:
		b.WriteString(": off on this side: ")
		b.WriteString(strings.Join(e.Off, ", "))
		b.WriteString(" (set to 1 with sysctl -w, or set Dialer.AddressChanges or ListenConfig.AddressChanges before the association is made; the peer needs them too)")
	case e.Peer:
		b.WriteString(": the peer did not negotiate ASCONF and AUTH (switch on net.sctp.addip_enable and net.sctp.auth_enable there, or ListenConfig.AddressChanges / Dialer.AddressChanges)")
	default:
		b.WriteString(": ASCONF was not negotiated")
	}
	return b.String()
}

// Is makes errors.Is(err, ErrNoAddressChanges) hold.
func (e *AddressChangeError) Is(target error) bool { return target == ErrNoAddressChanges }

// AddressChangeSupport is what an association negotiated for live address
// changes, as the kernel reports it.
type AddressChangeSupport struct {
	// ASCONF reports that both ends offered ASCONF (RFC 5061) in the
	// handshake (SCTP_ASCONF_SUPPORTED on the association). Without it,
	// local addresses cannot be added, removed or made the peer's
	// primary.
	ASCONF bool
	// AUTH reports that both ends offered AUTH (RFC 4895;
	// SCTP_AUTH_SUPPORTED on the association), which the kernel requires
	// for ASCONF unless net.sctp.addip_noauth_enable is set.
	AUTH bool
	// AutoASCONF reports SCTP_AUTO_ASCONF: the kernel itself announces
	// addresses that appear on or vanish from the host. Only a socket
	// bound to the wildcard address can have it.
	AutoASCONF bool
}
