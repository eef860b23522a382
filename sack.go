package sctpdial

import "time"

// DelayedSACK is how the receiving end of an association acknowledges
// data (SCTP_DELAYED_SACK, struct sctp_sack_info; RFC 6458 section
// 8.1.19). SCTP, like TCP, delays its selective acknowledgements (SACKs):
// by default a Linux receiver acknowledges every second packet, or after
// 200 ms (net.sctp.sack_timeout). With a sender waiting for that SACK to
// free its buffer or window (large messages on small buffers) or for the
// reply it triggers (request/response without NODELAY), the delay
// becomes a stall.
//
// The zero value keeps what the socket has. Set on a Dialer or
// ListenConfig it becomes the endpoint's default, which every association
// of the socket inherits (sctp_association_init); on a Conn it changes the
// live association.
type DelayedSACK struct {
	// Delay is the longest the receiver waits before sending a SACK, from
	// 1 ms to 500 ms (the kernel's limit), rounded up to milliseconds. Zero
	// keeps the current delay.
	Delay time.Duration

	// Frequency is the number of packets after which a SACK goes out
	// without waiting for Delay. 1 acknowledges every packet at once, which
	// turns delayed SACK off; 0 keeps the current frequency (2 by default,
	// as RFC 9260 section 6.2 asks).
	Frequency uint32
}

// maxSACKDelay is the largest sack_delay the kernel accepts, in ms
// (sctp_setsockopt_delayed_ack).
const maxSACKDelay = 500 * time.Millisecond

// Profile is a set of transport settings for one kind of traffic, to use
// as a Dialer's or ListenConfig's DelayedSACK, ReadBuffer and WriteBuffer
// (Dialer.Apply, ListenConfig.Apply).
type Profile struct {
	DelayedSACK DelayedSACK
	// ReadBuffer and WriteBuffer are SO_RCVBUF and SO_SNDBUF in bytes, as
	// Dialer.ReadBuffer and WriteBuffer: ReadBuffer 0 asks for
	// DefaultReadBuffer, negative keeps the kernel's; WriteBuffer 0 keeps
	// the kernel's.
	ReadBuffer, WriteBuffer int
}

// SignallingProfile is for request/response signalling, such as Diameter,
// NGAP, S1AP or M3UA: small messages where latency matters. Every packet
// is acknowledged at once, so no message waits for a delayed SACK;
// NODELAY, on by default, already sends each message at once. The buffers
// stay the defaults (DefaultReadBuffer to receive, the kernel's to send),
// far larger than signalling needs.
func SignallingProfile() Profile {
	return Profile{DelayedSACK: DelayedSACK{Frequency: 1}}
}

// BulkProfile is for moving large amounts of data over one association:
// 4 MiB buffers let the window cover a loopback or data-centre path, and
// the usual delayed SACK (every second packet) keeps the acknowledgements
// few. Linux caps each request at net.core.rmem_max and wmem_max (then
// doubles it), whoever asks; raise those for the full size.
func BulkProfile() Profile {
	return Profile{ReadBuffer: 4 << 20, WriteBuffer: 4 << 20}
}

// Apply sets the Dialer's DelayedSACK, ReadBuffer and WriteBuffer to the
// profile's.
func (d *Dialer) Apply(p Profile) {
	d.DelayedSACK, d.ReadBuffer, d.WriteBuffer = p.DelayedSACK, p.ReadBuffer, p.WriteBuffer
}

// Apply sets the ListenConfig's DelayedSACK, ReadBuffer and WriteBuffer to
// the profile's.
func (lc *ListenConfig) Apply(p Profile) {
	lc.DelayedSACK, lc.ReadBuffer, lc.WriteBuffer = p.DelayedSACK, p.ReadBuffer, p.WriteBuffer
}

// DefaultReadBuffer is the receive buffer (SO_RCVBUF) a Dialer or
// ListenConfig asks for when its ReadBuffer is zero. The kernel's own
// (net.core.rmem_default, 212,992 bytes) gives a receive window of under
// two 64 KiB messages, and such messages then stall on the 200 ms
// delayed-SACK timer (docs/benchmarks-notes.md). The kernel caps the
// request at net.core.rmem_max, then doubles it: 425,984 bytes with the
// default rmem_max of 212,992, which already removes the stall. It is a
// limit, not an allocation: an idle association holds nothing in it.
const DefaultReadBuffer = 1 << 20

// readBufferSize is the receive buffer to ask the kernel for: 0 for none
// (negative: keep its default), DefaultReadBuffer for zero.
func readBufferSize(v int) int {
	if v == 0 {
		return DefaultReadBuffer
	}
	return max(v, 0)
}

// writeBufferSize is the send buffer to ask the kernel for: 0 for none
// (zero or negative: keep its default).
func writeBufferSize(v int) int {
	return max(v, 0)
}
