package sctpdial

import (
	"errors"
	"strconv"
	"strings"
)

// MsgInfo is what travels with one SCTP message besides its bytes: the
// stream, the payload protocol identifier and the send flags. WriteMsg
// takes it as struct sctp_sndinfo (SCTP_SNDINFO, RFC 6458 section 5.3.4);
// ReadMsg fills it from struct sctp_rcvinfo (SCTP_RCVINFO, RFC 6458
// section 5.3.5). The zero value sends on stream 0 with PPID 0.
type MsgInfo struct {
	// Stream is the stream identifier (snd_sid, rcv_sid). It must be
	// below the number of outbound streams negotiated (Status.OutStreams),
	// or WriteMsg fails with EINVAL.
	Stream uint16

	// PPID is the payload protocol identifier (snd_ppid, rcv_ppid) as the
	// number IANA assigns, for example 60 for NGAP or 46 for Diameter.
	// The kernel carries the field opaquely; RFC 9260 puts it on the wire
	// in network byte order, as ishidawataru/sctp and Wireshark do, so
	// this package converts it to and from big-endian at the socket.
	PPID uint32

	// Flags are the send flags (snd_flags) and, on receive, the flags the
	// kernel reports (rcv_flags: MsgUnordered).
	Flags MsgFlags

	// Context is an opaque value (snd_context, rcv_context) returned in
	// SendFailed notifications for messages the kernel could not send.
	Context uint32

	// AssocID is the association id (rcv_assoc_id) on receive; on send it
	// is ignored, since a one-to-one socket has one association.
	AssocID int32
}

// MsgFlags are the SCTP message flags of struct sctp_sndinfo snd_flags and
// struct sctp_rcvinfo rcv_flags (enum sctp_sinfo_flags, linux/sctp.h; RFC
// 6458 section 5.3.4).
type MsgFlags uint16

const (
	// MsgUnordered sends the message for immediate delivery, outside the
	// stream's order (SCTP_UNORDERED); on receive it marks such a message.
	MsgUnordered MsgFlags = 1 << 0

	// MsgSackImmediately asks the peer to acknowledge at once, without
	// delayed SACK (SCTP_SACK_IMMEDIATELY, RFC 7053).
	MsgSackImmediately MsgFlags = 1 << 3
)

// SCTP_EOF and SCTP_ABORT have no MsgFlags: Linux rejects them with EINVAL
// on one-to-one sockets (net/sctp/socket.c: "SCTP_EOF or SCTP_ABORT cannot
// be set on a TCP-style socket"). CloseWrite starts the graceful shutdown
// instead.

// String lists the set flags, "Unordered|SackImmediately" style.
func (f MsgFlags) String() string {
	if f == 0 {
		return "0"
	}
	var parts []string
	for _, x := range []struct {
		f    MsgFlags
		name string
	}{{MsgUnordered, "Unordered"}, {MsgSackImmediately, "SackImmediately"}} {
		if f&x.f != 0 {
			parts = append(parts, x.name)
			f &^= x.f
		}
	}
	if f != 0 {
		parts = append(parts, "0x"+strconv.FormatUint(uint64(f), 16))
	}
	return strings.Join(parts, "|")
}

// ErrPartialMessage is what ReadMsg returns, with the bytes read, when a
// message did not fit in the buffer (recvmsg(2) reported no MSG_EOR). No
// data is lost: the kernel keeps the rest, and the next ReadMsg calls
// return it, each with the same MsgInfo, the last one with a nil error.
// Like io.EOF it is returned bare, not wrapped in a *net.OpError, so
// that reading a large message piece by piece costs no allocation. Read
// is not affected: it returns the byte stream and never this error.
var ErrPartialMessage = errors.New("sctpdial: partial message: the rest follows in the next ReadMsg")
