//go:build linux

package sctpdial

import (
	"bytes"
	"errors"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/ishidawataru/sctp"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// ppidCases are PPIDs whose byte order shows: 60 is NGAP, 46 Diameter
// (IANA "SCTP Payload Protocol Identifiers"), 3 M3UA.
var ppidCases = []uint32{0, 3, 46, 60, 0x01020304, 0xfffffffe}

// TestWriteMsgToIshidawataru: what WriteMsg sends, ishidawataru/sctp's
// SCTPRead reports with the same stream and PPID. That library converts
// the kernel's sinfo_ppid with ntohl, so agreement means the PPID is in
// network byte order in the DATA chunk, as RFC 9260 and Wireshark read it.
func TestWriteMsgToIshidawataru(t *testing.T) {
	requireSCTP(t)
	c, peer := dialIshi(t, nil, "127.0.0.1")
	buf := make([]byte, 256)
	for i, ppid := range ppidCases {
		stream := uint16(i % 5)
		flags := MsgFlags(0)
		if i%2 == 1 {
			flags = MsgUnordered
		}
		payload := []byte{'m', byte('0' + i)}
		n, err := c.WriteMsg(payload, &MsgInfo{Stream: stream, PPID: ppid, Flags: flags})
		require.NoError(t, err)
		require.Equal(t, len(payload), n)

		got, info := peerReadMsg(t, peer, buf)
		require.Equal(t, string(payload), got)
		require.NotNil(t, info, "no SCTP_SNDRCV at the peer")
		require.Equal(t, stream, info.Stream)
		require.Equal(t, ppid, info.PPID, "PPID %d", ppid)
		require.Equal(t, flags == MsgUnordered, info.Flags&sctp.SCTP_UNORDERED != 0)
	}

	// A nil MsgInfo and Write both send stream 0, PPID 0.
	_, err := c.WriteMsg([]byte("nil info"), nil)
	require.NoError(t, err)
	_, info := peerReadMsg(t, peer, buf)
	require.Zero(t, info.Stream)
	require.Zero(t, info.PPID)
}

// TestReadMsgFromIshidawataru is the other direction: SCTPWrite with its
// documented host-order PPID arrives in ReadMsg unchanged.
func TestReadMsgFromIshidawataru(t *testing.T) {
	requireSCTP(t)
	c, peer := dialIshi(t, nil, "127.0.0.1")
	readDeadline(t, c)
	buf := make([]byte, 256)
	for i, ppid := range ppidCases {
		stream := uint16(i % 5)
		payload := []byte{'p', byte('0' + i)}
		_, err := peer.SCTPWrite(payload, &sctp.SndRcvInfo{Stream: stream, PPID: ppid})
		require.NoError(t, err)

		n, info, err := c.ReadMsg(buf)
		require.NoError(t, err)
		require.Equal(t, string(payload), string(buf[:n]))
		require.Equal(t, stream, info.Stream)
		require.Equal(t, ppid, info.PPID, "PPID %d", ppid)
		if c.AssocID() != 0 {
			require.Equal(t, c.AssocID(), info.AssocID)
		}
	}
}

// TestMsgPPIDOnTheWire checks the byte order without either library's
// conversion: a raw recvmsg with SCTP_SNDRCV shows sinfo_ppid as the
// kernel copied it from the DATA chunk.
func TestMsgPPIDOnTheWire(t *testing.T) {
	requireSCTP(t)
	a, b := dialPair(t)
	_, err := a.WriteMsg([]byte("ngap"), &MsgInfo{PPID: 60})
	require.NoError(t, err)

	rc, err := b.SyscallConn()
	require.NoError(t, err)
	buf, oob := make([]byte, 64), make([]byte, 128)
	var raw []byte
	var rerr error
	require.NoError(t, rc.Control(func(fd uintptr) {
		// The legacy sctp_data_io_event makes recvmsg attach SCTP_SNDRCV.
		if rerr = unix.SetsockoptString(int(fd), solSCTP, sctpEvents, "\x01"); rerr != nil {
			return
		}
		require.NoError(t, unix.SetNonblock(int(fd), false))
		defer unix.SetNonblock(int(fd), true)
		_, oobn, _, _, err := unix.Recvmsg(int(fd), buf, oob, 0)
		if rerr = err; err != nil {
			return
		}
		msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if rerr = err; err != nil {
			return
		}
		for _, m := range msgs {
			if m.Header.Level == unix.IPPROTO_SCTP && m.Header.Type == sctpCmsgSndRcv {
				raw = m.Data[8:12] // sinfo_ppid
			}
		}
	}))
	require.NoError(t, rerr)
	require.Equal(t, []byte{0, 0, 0, 60}, raw, "sinfo_ppid as the kernel hands it over")
}

// TestReadMsgPartial: a message longer than the buffer comes in pieces,
// each but the last with ErrPartialMessage and all with the same MsgInfo,
// while Read streams the same bytes without any error.
func TestReadMsgPartial(t *testing.T) {
	requireSCTP(t)
	a, b := dialPair(t)
	readDeadline(t, b)
	msg := bytes.Repeat([]byte("0123456789"), 100) // 1000 bytes
	info := MsgInfo{Stream: 2, PPID: 46, Context: 9}
	_, err := a.WriteMsg(msg, &info)
	require.NoError(t, err)

	buf := make([]byte, 300)
	var got []byte
	for i := 0; ; i++ {
		n, ri, err := b.ReadMsg(buf)
		got = append(got, buf[:n]...)
		require.Equal(t, uint16(2), ri.Stream)
		require.Equal(t, uint32(46), ri.PPID)
		if i < 3 {
			require.ErrorIs(t, err, ErrPartialMessage, "piece %d", i)
			require.Equal(t, 300, n)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, 100, n)
		break
	}
	require.Equal(t, msg, got)

	// Read keeps stream semantics: the same pieces, no error.
	_, err = a.WriteMsg(msg, &info)
	require.NoError(t, err)
	got = got[:0]
	for len(got) < len(msg) {
		n, err := b.Read(buf)
		require.NoError(t, err)
		got = append(got, buf[:n]...)
	}
	require.Equal(t, msg, got)
}

func TestWriteMsgErrors(t *testing.T) {
	requireSCTP(t)
	c, _ := dialIshi(t, &Dialer{InitMsg: sctp.InitMsg{NumOstreams: 3}}, "127.0.0.1")

	// Streams are numbered below the negotiated outbound count.
	_, err := c.WriteMsg([]byte("x"), &MsgInfo{Stream: 3})
	var oe *net.OpError
	require.ErrorAs(t, err, &oe)
	require.Equal(t, "write", oe.Op)
	var se *os.SyscallError
	require.ErrorAs(t, err, &se)
	require.ErrorIs(t, err, syscall.EINVAL)
	require.ErrorContains(t, err, "stream 3 out of range: the association has 3 outbound streams")

	// Nothing to send and no EOF or ABORT: nothing happens.
	n, err := c.WriteMsg(nil, &MsgInfo{Stream: 1})
	require.NoError(t, err)
	require.Zero(t, n)
}

// TestWriteMsgEOFRejected pins why MsgFlags has no EOF or ABORT: Linux
// refuses both on a one-to-one socket, with or without data.
func TestWriteMsgEOFRejected(t *testing.T) {
	requireSCTP(t)
	a, _ := dialPair(t)
	for _, f := range []MsgFlags{0x200 /* SCTP_EOF */, 1 << 2 /* SCTP_ABORT */} {
		_, err := a.WriteMsg([]byte("x"), &MsgInfo{Flags: f})
		require.ErrorIs(t, err, syscall.EINVAL, "flags %v", f)
	}
	// The association is unharmed.
	st, err := a.Status()
	require.NoError(t, err)
	require.Equal(t, StateEstablished, st.State)
}

// TestMsgAllocs: WriteMsg, ReadMsg, Write and Read allocate nothing per
// call. The peer is a Conn too, and no other goroutine runs while
// counting: testing.AllocsPerRun counts every allocation of the process.
func TestMsgAllocs(t *testing.T) {
	requireSCTP(t)
	if testing.Short() {
		t.Skip("counts allocations")
	}
	a, b := dialPair(t)
	readDeadline(t, b)
	msg := make([]byte, 128)
	buf := make([]byte, 256)
	info := &MsgInfo{Stream: 1, PPID: 60}
	const runs = 100

	writes := testing.AllocsPerRun(runs, func() {
		if _, err := a.WriteMsg(msg, info); err != nil {
			t.Fatal(err)
		}
	})
	reads := testing.AllocsPerRun(runs, func() {
		if _, _, err := b.ReadMsg(buf); err != nil {
			t.Fatal(err)
		}
	})
	plainWrites := testing.AllocsPerRun(runs, func() {
		if _, err := a.Write(msg); err != nil {
			t.Fatal(err)
		}
	})
	plainReads := testing.AllocsPerRun(runs, func() {
		if _, err := b.Read(buf); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("allocs per call: WriteMsg %v, ReadMsg %v, Write %v, Read %v", writes, reads, plainWrites, plainReads)
	require.Zero(t, writes, "WriteMsg")
	require.Zero(t, reads, "ReadMsg")
	require.Zero(t, plainWrites, "Write")
	require.Zero(t, plainReads, "Read")
}

// BenchmarkMsgRoundTrip sends one message with WriteMsg and reads it with
// ReadMsg on the other Conn; -benchmem shows the allocations per round.
func BenchmarkMsgRoundTrip(b *testing.B) {
	requireSCTP(b)
	x, y := dialPair(b)
	msg := make([]byte, 128)
	buf := make([]byte, 256)
	info := &MsgInfo{Stream: 1, PPID: 60}
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, err := x.WriteMsg(msg, info); err != nil {
			b.Fatal(err)
		}
		if _, _, err := y.ReadMsg(buf); err != nil && !errors.Is(err, ErrPartialMessage) {
			b.Fatal(err)
		}
	}
}
