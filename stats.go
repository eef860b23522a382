package sctpdial

import (
	"net"
	"time"
)

// AssocStats are an association's counters since it came up
// (SCTP_GET_ASSOC_STATS, struct sctp_assoc_stats, linux/sctp.h; Linux
// 3.8). Counts are of SCTP chunks unless they say packets.
type AssocStats struct {
	// MaxRTO is the largest retransmission timeout any path reached since
	// the previous AssocStats call (the first call: since the
	// association came up), and MaxRTOAddr the path it was on. The kernel
	// starts each such period over at RTO.Min and with no address, so
	// MaxRTOAddr is empty when no path's RTO rose above it. Zero when the
	// kernel's tick rate is unknown (see PathInfo.SRTT).
	MaxRTO     time.Duration
	MaxRTOAddr net.IPAddr

	// RetransmittedChunks counts DATA chunks sent again, after a T3-rtx
	// timeout or a fast retransmit (sas_rtxchunks).
	RetransmittedChunks uint64
	// GapAcks counts gap acknowledgement blocks received in SACKs: the
	// peer saw TSNs missing (sas_gapcnt).
	GapAcks uint64
	// OutOfSeqTSNs counts received DATA chunks dropped because their TSN
	// lies beyond what the receive map holds (sas_outofseqtsns: the
	// kernel's sctp_eat_data counts only such "too high" TSNs, not chunks
	// merely arriving after a gap, which show in the peer's GapAcks).
	OutOfSeqTSNs uint64
	// DuplicateTSNs counts DATA chunks received twice (sas_idupchunks).
	DuplicateTSNs uint64

	SACKsSent     uint64 // sas_osacks
	SACKsReceived uint64 // sas_isacks

	// ControlSent and ControlReceived count control chunks, the
	// handshake's included (sas_octrlchunks, sas_ictrlchunks).
	ControlSent     uint64
	ControlReceived uint64

	// Ordered and unordered DATA chunks, in each direction
	// (sas_oodchunks, sas_iodchunks, sas_ouodchunks, sas_iuodchunks).
	OrderedSent       uint64
	OrderedReceived   uint64
	UnorderedSent     uint64
	UnorderedReceived uint64

	PacketsSent     uint64 // SCTP packets, sas_opackets
	PacketsReceived uint64 // sas_ipackets
}

// NotificationCounts are the notifications a Conn has read from its
// receive queue, per kind, whether or not a handler took them. The kernel
// queues only the kinds subscribed to (SetNotificationHandler; a
// CloseWrite subscribes to AssocChange), so a zero count may mean "not
// subscribed".
type NotificationCounts struct {
	AssocChange    uint64
	PeerAddrChange uint64
	SendFailed     uint64
	Shutdown       uint64
	SenderDry      uint64
	// Other counts notifications of kinds this package does not model,
	// subscribed to through SyscallConn.
	Other uint64
}
