//go:build linux

package sctpdial

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/ishidawataru/sctp"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// rawRcvInfo mirrors struct sctp_rcvinfo with Go's natural alignment, which
// is the C layout here (2 bytes of padding after rcv_flags).
type rawRcvInfo struct {
	sid, ssn, flags         uint16
	ppid, tsn, cumtsn, ctxt uint32
	assoc                   int32
}

// cmsg builds one control message with x/sys/unix's own header layout,
// independently of putCmsgHdr.
func mkCmsg(level, typ int32, data []byte) []byte {
	b := make([]byte, unix.CmsgSpace(len(data)))
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level, h.Type = level, typ
	h.SetLen(unix.CmsgLen(len(data)))
	copy(b[unix.CmsgLen(0):], data)
	return b
}

func rawBytesOf[T any](v *T) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(v)), unsafe.Sizeof(*v))
}

func TestStructSizes(t *testing.T) {
	require.EqualValues(t, sizeofRcvInfo, unsafe.Sizeof(rawRcvInfo{}))
	require.EqualValues(t, sizeofSndRcvInfo, unsafe.Sizeof(sctp.SndRcvInfo{}))
	require.EqualValues(t, sizeofSndInfo, unsafe.Sizeof(sctp.SndInfo{}))
	require.EqualValues(t, sizeofStatus, unsafe.Sizeof(sctp.Status{}))
	require.EqualValues(t, sizeofPaddrInfo, unsafe.Sizeof(sctp.PeerAddrinfo{}))
	require.Equal(t, unix.CmsgLen(0), cmsgAlign(sizeofCmsgLen+8))
}

func TestPutSndInfo(t *testing.T) {
	info := MsgInfo{Stream: 7, PPID: 60, Flags: MsgUnordered | MsgSackImmediately, Context: 0xdeadbeef, AssocID: -3}
	var buf [64]byte
	n := putSndInfo(buf[:], &info)
	require.Equal(t, unix.CmsgSpace(sizeofSndInfo), n)

	h := (*unix.Cmsghdr)(unsafe.Pointer(&buf[0]))
	require.EqualValues(t, unix.CmsgLen(sizeofSndInfo), h.Len)
	require.EqualValues(t, unix.IPPROTO_SCTP, h.Level)
	require.EqualValues(t, sctpCmsgSndInfo, h.Type)

	// ishidawataru/sctp's SndInfo has the kernel's layout; PPID is expected
	// in network byte order there, as its own SCTPWrite puts it.
	var ppidBE uint32
	binary.BigEndian.PutUint32(rawBytesOf(&ppidBE), 60)
	want := sctp.SndInfo{SID: 7, Flags: 0x9, PPID: ppidBE, Context: 0xdeadbeef, AssocID: -3}
	require.Equal(t, rawBytesOf(&want), buf[unix.CmsgLen(0):unix.CmsgLen(sizeofSndInfo)])
	require.Equal(t, []byte{0, 0, 0, 60}, buf[unix.CmsgLen(0)+4:unix.CmsgLen(0)+8], "PPID big-endian")
}

func TestParseRcvCmsgs(t *testing.T) {
	be := func(v uint32) uint32 {
		var x uint32
		binary.BigEndian.PutUint32(rawBytesOf(&x), v)
		return x
	}
	rcv := rawRcvInfo{sid: 3, ssn: 9, flags: uint16(MsgUnordered), ppid: be(46), tsn: 100, cumtsn: 99, ctxt: 42, assoc: 5}
	sndrcv := sctp.SndRcvInfo{Stream: 4, SSN: 1, Flags: 0, PPID: be(60), Context: 7, AssocID: 6}
	nxt := make([]byte, 16) // struct sctp_nxtinfo
	want := MsgInfo{Stream: 3, PPID: 46, Flags: MsgUnordered, Context: 42, AssocID: 5}
	wantSndRcv := MsgInfo{Stream: 4, PPID: 60, Context: 7, AssocID: 6}

	cat := func(parts ...[]byte) []byte {
		var b []byte
		for _, p := range parts {
			b = append(b, p...)
		}
		return b
	}
	rcvMsg := mkCmsg(unix.IPPROTO_SCTP, sctpCmsgRcvInfo, rawBytesOf(&rcv))
	tests := []struct {
		name string
		buf  []byte
		want MsgInfo
	}{
		{"empty", nil, MsgInfo{}},
		{"rcvinfo", rcvMsg, want},
		{"nxtinfo first", cat(mkCmsg(unix.IPPROTO_SCTP, 4, nxt), rcvMsg), want},
		{"sndrcv only", mkCmsg(unix.IPPROTO_SCTP, sctpCmsgSndRcv, rawBytesOf(&sndrcv)), wantSndRcv},
		{"rcvinfo wins over sndrcv", cat(mkCmsg(unix.IPPROTO_SCTP, sctpCmsgSndRcv, rawBytesOf(&sndrcv)), rcvMsg), want},
		{"other level", mkCmsg(unix.SOL_SOCKET, sctpCmsgRcvInfo, rawBytesOf(&rcv)), MsgInfo{}},
		{"short data", mkCmsg(unix.IPPROTO_SCTP, sctpCmsgRcvInfo, rawBytesOf(&rcv)[:20]), MsgInfo{}},
		{"truncated buffer", rcvMsg[:len(rcvMsg)-8], MsgInfo{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, parseRcvCmsgs(tt.buf))
		})
	}
}

// TestParseRcvCmsgsGarbage feeds random bytes, with and without a valid
// header in front: parsing must never panic or loop.
func TestParseRcvCmsgsGarbage(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]byte, r.IntN(rxCmsgSize+1))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if len(b) >= unix.CmsgLen(0) && r.IntN(2) == 0 {
			binary.NativeEndian.PutUint32(b[sizeofCmsgLen:], unix.IPPROTO_SCTP)
		}
		parseRcvCmsgs(b)
		parseNotification(b)
	}
}

func TestMsgFlagsString(t *testing.T) {
	tests := []struct {
		f    MsgFlags
		want string
	}{
		{0, "0"},
		{MsgUnordered, "Unordered"},
		{MsgUnordered | MsgSackImmediately, "Unordered|SackImmediately"},
		{MsgUnordered | 0x200, "Unordered|0x200"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.f.String())
	}
}
