package sctpdial

import (
	"net"
)

// EventMask selects the SCTP notifications to subscribe to with
// Conn.SetNotificationHandler (SCTP_EVENT, struct sctp_event; RFC 6458
// section 6.2.2).
type EventMask uint32

const (
	// EventAssocChange subscribes to SCTP_ASSOC_CHANGE (AssocChange).
	EventAssocChange EventMask = 1 << iota
	// EventPeerAddrChange subscribes to SCTP_PEER_ADDR_CHANGE
	// (PeerAddrChange).
	EventPeerAddrChange
	// EventSendFailed subscribes to SCTP_SEND_FAILED (SendFailed).
	EventSendFailed
	// EventShutdown subscribes to SCTP_SHUTDOWN_EVENT (Shutdown).
	EventShutdown
	// EventSenderDry subscribes to SCTP_SENDER_DRY_EVENT (SenderDry). The
	// kernel sends one at once on subscribing if nothing is in flight.
	EventSenderDry

	// EventAll is every event this package models.
	EventAll = EventAssocChange | EventPeerAddrChange | EventSendFailed | EventShutdown | EventSenderDry
)

// Notification is one of AssocChange, PeerAddrChange, SendFailed,
// Shutdown and SenderDry: an SCTP notification (union sctp_notification,
// RFC 6458 section 6.1) that arrived in the receive queue.
type Notification interface {
	notification()
}

// AssocChange reports that the association came up or ended (struct
// sctp_assoc_change, SCTP_ASSOC_CHANGE; RFC 6458 section 6.1.1).
type AssocChange struct {
	State AssocChangeState
	// Error is sac_error: the SCTP error cause code behind the change
	// (RFC 9260 section 3.3.10), if any.
	Error      uint16
	OutStreams uint16
	InStreams  uint16
	AssocID    int32
}

// AssocChangeState is sac_state (enum sctp_sac_state, linux/sctp.h).
type AssocChangeState uint16

// The association changes of AssocChange.State (RFC 6458 section 6.1.1).
const (
	CommUp         AssocChangeState = 0 // SCTP_COMM_UP
	CommLost       AssocChangeState = 1 // SCTP_COMM_LOST
	Restart        AssocChangeState = 2 // SCTP_RESTART
	ShutdownComp   AssocChangeState = 3 // SCTP_SHUTDOWN_COMP
	CantStartAssoc AssocChangeState = 4 // SCTP_CANT_STR_ASSOC
)

var assocChangeNames = [...]string{"COMM_UP", "COMM_LOST", "RESTART", "SHUTDOWN_COMP", "CANT_STR_ASSOC"}

// String returns the state's name as in linux/sctp.h without "SCTP_".
func (s AssocChangeState) String() string {
	return enumName(s, assocChangeNames[:], "AssocChangeState")
}

// PeerAddrChange reports a change of one peer address (struct
// sctp_paddr_change, SCTP_PEER_ADDR_CHANGE; RFC 6458 section 6.1.2).
type PeerAddrChange struct {
	Addr  net.IPAddr
	State PeerAddrState
	// Error is spc_error (enum sctp_sn_error, linux/sctp.h), for example
	// SCTP_FAILED_THRESHOLD (0) or SCTP_HEARTBEAT_SUCCESS (2).
	Error   int32
	AssocID int32
}

// PeerAddrState is spc_state (enum sctp_spc_state, linux/sctp.h).
type PeerAddrState int32

// The address changes of PeerAddrChange.State (RFC 6458 section 6.1.2;
// the values of enum sctp_spc_state, linux/sctp.h):
//
//   - AddrAvailable: the path to the address works again after it had
//     been unreachable.
//   - AddrUnreachable: the path failed (more than its path maximum
//     retransmissions); the kernel sends elsewhere.
//   - AddrRemoved: the peer withdrew the address with an ASCONF (RFC
//     5061; Conn.RemoveLocalAddrs on the peer's side).
//   - AddrAdded: the peer announced a new address with an ASCONF
//     (Conn.AddLocalAddrs); the path is unconfirmed until AddrConfirmed.
//   - AddrMadePrimary: the address became the primary path, for example
//     when the peer asked for it with an ASCONF Set Primary
//     (Conn.SetPeerPrimary).
//   - AddrConfirmed: a heartbeat to a new or unconfirmed address was
//     answered (Error is then 2, SCTP_HEARTBEAT_SUCCESS).
//   - AddrPotentiallyFailed: the path passed its potentially-failed
//     threshold (RFC 7829) and is avoided while another path works.
const (
	AddrAvailable         PeerAddrState = 0 // SCTP_ADDR_AVAILABLE
	AddrUnreachable       PeerAddrState = 1 // SCTP_ADDR_UNREACHABLE
	AddrRemoved           PeerAddrState = 2 // SCTP_ADDR_REMOVED
	AddrAdded             PeerAddrState = 3 // SCTP_ADDR_ADDED
	AddrMadePrimary       PeerAddrState = 4 // SCTP_ADDR_MADE_PRIM
	AddrConfirmed         PeerAddrState = 5 // SCTP_ADDR_CONFIRMED
	AddrPotentiallyFailed PeerAddrState = 6 // SCTP_ADDR_POTENTIALLY_FAILED (Linux 5.5)
)

var peerAddrNames = [...]string{"ADDR_AVAILABLE", "ADDR_UNREACHABLE", "ADDR_REMOVED", "ADDR_ADDED", "ADDR_MADE_PRIM", "ADDR_CONFIRMED", "ADDR_POTENTIALLY_FAILED"}

// String returns the state's name as in linux/sctp.h without "SCTP_".
func (s PeerAddrState) String() string { return enumName(s, peerAddrNames[:], "PeerAddrState") }

// SendFailed returns a message the kernel could not deliver (struct
// sctp_send_failed, SCTP_SEND_FAILED, RFC 6458 section 6.1.4; or struct
// sctp_send_failed_event, SCTP_SEND_FAILED_EVENT, section 6.1.11).
type SendFailed struct {
	// Sent reports that the message was put on the wire at least once
	// (SCTP_DATA_SENT); false means it never left (SCTP_DATA_UNSENT).
	Sent bool
	// Error is ssf_error: the reason the kernel gives.
	Error uint32
	// Info is the message's stream, PPID, flags and context as sent.
	Info MsgInfo
	// Data is the undelivered payload.
	Data    []byte
	AssocID int32
}

// Shutdown reports that the peer sent SHUTDOWN: no more data may be sent
// (struct sctp_shutdown_event, SCTP_SHUTDOWN_EVENT; RFC 6458 section
// 6.1.5).
type Shutdown struct {
	AssocID int32
}

// SenderDry reports that nothing is left to send or retransmit (struct
// sctp_sender_dry_event, SCTP_SENDER_DRY_EVENT; RFC 6458 section 6.1.9).
type SenderDry struct {
	AssocID int32
}

func (AssocChange) notification()    {}
func (PeerAddrChange) notification() {}
func (SendFailed) notification()     {}
func (Shutdown) notification()       {}
func (SenderDry) notification()      {}
