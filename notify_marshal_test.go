//go:build linux

package sctpdial

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
	"unsafe"

	"github.com/ishidawataru/sctp"
	"github.com/stretchr/testify/require"
)

// Mirrors of the notification structs of linux/sctp.h. Go's natural
// alignment gives the C layout for these; struct sctp_paddr_change is
// packed in C and has no padding in Go either (every field after the
// 8-byte header and the 128-byte address is 4 bytes).
type (
	rawAssocChange struct {
		typ, _              uint16
		length              uint32
		state, err, out, in uint16
		assoc               int32
	}
	rawPaddrChange struct {
		typ, _     uint16
		length     uint32
		addr       [128]byte
		state, err int32
		assoc      int32
	}
	rawSendFailed struct {
		typ, flags uint16
		length     uint32
		err        uint32
		info       sctp.SndRcvInfo
		assoc      int32
	}
	rawSendFailedEvent struct {
		typ, _ uint16
		length uint32
		err    uint32
		info   sctp.SndInfo
		assoc  int32
	}
	rawAssocEvent struct { // struct sctp_shutdown_event, struct sctp_sender_dry_event
		typ, _ uint16
		length uint32
		assoc  int32
	}
)

func TestNotificationStructSizes(t *testing.T) {
	require.EqualValues(t, sizeofAssocChange, unsafe.Sizeof(rawAssocChange{}))
	require.EqualValues(t, sizeofPaddrChange, unsafe.Sizeof(rawPaddrChange{}))
	require.EqualValues(t, sizeofSendFailed, unsafe.Sizeof(rawSendFailed{}))
	require.EqualValues(t, sizeofSendFailedEv, unsafe.Sizeof(rawSendFailedEvent{}))
	require.EqualValues(t, sizeofShutdownEvent, unsafe.Sizeof(rawAssocEvent{}))
}

func TestParseNotification(t *testing.T) {
	ppid := func(v uint32) uint32 {
		var x uint32
		binary.BigEndian.PutUint32(rawBytesOf(&x), v)
		return x
	}
	ac := rawAssocChange{typ: sctpAssocChange, length: 20, state: uint16(ShutdownComp), err: 0, out: 10, in: 5, assoc: 3}
	pc := rawPaddrChange{typ: sctpPeerAddrChange, length: 148, state: int32(AddrUnreachable), err: 0, assoc: 3}
	sa, err := packSockaddrs([]netip.Addr{netip.MustParseAddr("2001:db8::1")}, 3868)
	require.NoError(t, err)
	copy(pc.addr[:], sa)
	sf := rawSendFailed{typ: sctpSendFailed, flags: 1, length: 48 + 3, err: 5,
		info: sctp.SndRcvInfo{Stream: 2, PPID: ppid(60), Context: 77, AssocID: 3}, assoc: 3}
	sfe := rawSendFailedEvent{typ: sctpSendFailedEvent, length: 32 + 3, err: 6,
		info: sctp.SndInfo{SID: 1, PPID: ppid(46), Context: 8, AssocID: 3}, assoc: 3}
	sh := rawAssocEvent{typ: sctpShutdownEvent, length: 12, assoc: 3}
	dry := rawAssocEvent{typ: sctpSenderDryEvent, length: 12, assoc: 3}
	unknown := rawAssocEvent{typ: 0x8004, length: 12, assoc: 3} // SCTP_REMOTE_ERROR

	tests := []struct {
		name string
		b    []byte
		want Notification
	}{
		{"assoc change", rawBytesOf(&ac), AssocChange{State: ShutdownComp, OutStreams: 10, InStreams: 5, AssocID: 3}},
		{"assoc change with sac_info", append(append([]byte(nil), rawBytesOf(&ac)...), 1, 2, 3, 4), AssocChange{State: ShutdownComp, OutStreams: 10, InStreams: 5, AssocID: 3}},
		{"peer addr change", rawBytesOf(&pc), PeerAddrChange{Addr: net.IPAddr{IP: net.ParseIP("2001:db8::1")}, State: AddrUnreachable, AssocID: 3}},
		{"send failed", append(append([]byte(nil), rawBytesOf(&sf)...), 'a', 'b', 'c'),
			SendFailed{Sent: true, Error: 5, Info: MsgInfo{Stream: 2, PPID: 60, Context: 77, AssocID: 3}, Data: []byte("abc"), AssocID: 3}},
		{"send failed event", append(append([]byte(nil), rawBytesOf(&sfe)...), 'x', 'y', 'z'),
			SendFailed{Error: 6, Info: MsgInfo{Stream: 1, PPID: 46, Context: 8, AssocID: 3}, Data: []byte("xyz"), AssocID: 3}},
		{"shutdown", rawBytesOf(&sh), Shutdown{AssocID: 3}},
		{"sender dry", rawBytesOf(&dry), SenderDry{AssocID: 3}},
		{"unknown type", rawBytesOf(&unknown), nil},
		{"short assoc change", rawBytesOf(&ac)[:16], nil},
		{"short header", rawBytesOf(&sh)[:6], nil},
		{"short paddr change", rawBytesOf(&pc)[:100], nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseNotification(tt.b)
			if pa, ok := got.(PeerAddrChange); ok {
				// Compare the address by value: net.ParseIP gives 16 bytes.
				want := tt.want.(PeerAddrChange)
				require.True(t, pa.Addr.IP.Equal(want.Addr.IP), "addr %v", pa.Addr)
				pa.Addr, want.Addr = net.IPAddr{}, net.IPAddr{}
				require.Equal(t, want, pa)
				return
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestMarshalSCTPEvent(t *testing.T) {
	// struct sctp_event { sctp_assoc_t se_assoc_id; uint16_t se_type; uint8_t se_on; }
	type rawEvent struct {
		assoc int32
		typ   uint16
		on    uint8
	}
	require.EqualValues(t, sizeofSCTPEvent, unsafe.Sizeof(rawEvent{}))
	want := rawEvent{assoc: 9, typ: sctpShutdownEvent, on: 1}
	got := marshalSCTPEvent(9, sctpShutdownEvent, true)
	require.Equal(t, rawBytesOf(&want), got[:])
	want.on = 0
	got = marshalSCTPEvent(9, sctpShutdownEvent, false)
	require.Equal(t, rawBytesOf(&want), got[:])
}

func TestSetEventBytes(t *testing.T) {
	// struct sctp_event_subscribe: data_io, association, address,
	// send_failure, peer_error, shutdown, partial_delivery, adaptation,
	// authentication, sender_dry, stream_reset.
	b := []byte{1, 0, 1, 0, 1, 0, 1, 1, 1, 0, 1}
	setEventBytes(b, EventAssocChange|EventShutdown|EventSenderDry)
	require.Equal(t, []byte{1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1}, b, "only modelled types change")
	short := []byte{0, 0, 0}
	setEventBytes(short, EventAll)
	require.Equal(t, []byte{0, 1, 1}, short)
}

func TestNotificationStateStrings(t *testing.T) {
	require.Equal(t, "SHUTDOWN_COMP", ShutdownComp.String())
	require.Equal(t, "AssocChangeState(9)", AssocChangeState(9).String())
	require.Equal(t, "ADDR_CONFIRMED", AddrConfirmed.String())
	require.Equal(t, "PeerAddrState(-1)", PeerAddrState(-1).String())
}
