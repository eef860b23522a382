package sctpdial

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"reflect"
	"testing"

	"golang.org/x/sys/unix"
)

// FuzzSockaddrs: parsing any bytes as a packed sockaddr list never panics
// and never reads past them; what it yields packs (packSockaddrs) into
// bytes that parse back to the same addresses and port. Packing one
// address from fuzzed fields and parsing it returns that address.
func FuzzSockaddrs(f *testing.F) {
	for _, s := range [][]string{{"192.0.2.1"}, {"2001:db8::1"}, {"192.0.2.1", "2001:db8::1", "fe80::1"}, {"::ffff:192.0.2.1"}} {
		var addrs []netip.Addr
		for _, a := range s {
			addrs = append(addrs, netip.MustParseAddr(a))
		}
		b, err := packSockaddrs(addrs, 9)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint8(len(addrs)), []byte{192, 0, 2, 7}, uint16(36412))
	}
	f.Add([]byte{}, uint8(1), bytes.Repeat([]byte{0x20}, 16), uint16(1))
	f.Add([]byte{10, 0}, uint8(3), []byte{}, uint16(0))
	f.Fuzz(func(t *testing.T, b []byte, count uint8, ip []byte, port uint16) {
		a := parseSockaddrs(b, int(count))
		if len(a.IPAddrs) > int(count) {
			t.Fatalf("%d addresses from a count of %d", len(a.IPAddrs), count)
		}
		var addrs []netip.Addr
		for _, ipa := range a.IPAddrs {
			na, ok := netip.AddrFromSlice(ipa.IP)
			if !ok {
				t.Fatalf("unusable IP %v", ipa.IP)
			}
			addrs = append(addrs, na.WithZone(ipa.Zone))
		}
		if packed, err := packSockaddrs(addrs, a.Port); err == nil {
			if a2 := parseSockaddrs(packed, len(addrs)); !reflect.DeepEqual(a2, a) && len(addrs) > 0 {
				t.Fatalf("%v packs into %x, which parses as %v", a, packed, a2)
			}
		}

		// One address from its fields.
		var want netip.Addr
		switch len(ip) {
		case 4:
			want = netip.AddrFrom4([4]byte(ip))
		case 16:
			want = netip.AddrFrom16([16]byte(ip))
		default:
			return
		}
		packed, err := packSockaddrs([]netip.Addr{want}, int(port))
		if err != nil {
			t.Fatalf("packing %v: %v", want, err)
		}
		got := parseSockaddrs(packed, 1)
		if len(got.IPAddrs) != 1 || got.Port != int(port) {
			t.Fatalf("%v port %d → %x → %v", want, port, packed, got)
		}
		if na, _ := netip.AddrFromSlice(got.IPAddrs[0].IP); na != want && na != want.Unmap() {
			t.Fatalf("%v → %v", want, na)
		}
	})
}

// FuzzParseNotification: any bytes parse without a panic, into nil or the
// type the header names, with the association id read where that type
// keeps it; a SendFailed's data is a copy, not a view of the buffer.
func FuzzParseNotification(f *testing.F) {
	seed := func(typ uint16, size int) []byte {
		b := make([]byte, max(size, 8))
		binary.NativeEndian.PutUint16(b, typ)
		binary.NativeEndian.PutUint32(b[4:], uint32(size))
		return b[:size]
	}
	for _, s := range []struct {
		typ  uint16
		size int
	}{
		{sctpAssocChange, sizeofAssocChange}, {sctpPeerAddrChange, sizeofPaddrChange},
		{sctpSendFailed, sizeofSendFailed + 3}, {sctpSendFailedEvent, sizeofSendFailedEv + 5},
		{sctpShutdownEvent, sizeofShutdownEvent}, {sctpSenderDryEvent, sizeofSenderDryEvent},
		{0x8004, 12}, {sctpAssocChange, 7},
	} {
		f.Add(seed(s.typ, s.size))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		orig := bytes.Clone(b)
		n := parseNotification(b)
		if n == nil {
			return
		}
		if len(b) < 8 {
			t.Fatalf("%T from %d bytes", n, len(b))
		}
		typ := binary.NativeEndian.Uint16(b)
		assocAt := map[uint16]int{sctpAssocChange: 16, sctpPeerAddrChange: 144, sctpSendFailed: 44, sctpSendFailedEvent: 28, sctpShutdownEvent: 8, sctpSenderDryEvent: 8}
		var assoc int32
		switch v := n.(type) {
		case AssocChange:
			assoc = v.AssocID
		case PeerAddrChange:
			assoc = v.AssocID
		case SendFailed:
			assoc = v.AssocID
			if len(v.Data) > 0 {
				for i := range b {
					b[i] ^= 0xff
				}
				if n2, ok := parseNotification(orig).(SendFailed); !ok || !bytes.Equal(n2.Data, v.Data) {
					t.Fatalf("SendFailed.Data changed with the buffer")
				}
			}
		case Shutdown:
			assoc = v.AssocID
		case SenderDry:
			assoc = v.AssocID
		default:
			t.Fatalf("unexpected %T", n)
		}
		off, ok := assocAt[typ]
		if !ok {
			t.Fatalf("%T from type %#x", n, typ)
		}
		if want := int32(binary.NativeEndian.Uint32(orig[off:])); assoc != want {
			t.Fatalf("%T: association %d, the bytes say %d", n, assoc, want)
		}
	})
}

// FuzzParseRcvCmsgs: any control buffer parses without a panic or a loop;
// an SCTP_RCVINFO in front of any bytes is what parsing returns.
func FuzzParseRcvCmsgs(f *testing.F) {
	f.Add(uint16(3), uint16(1), uint32(46), uint32(42), int32(5), []byte{})
	f.Add(uint16(0), uint16(0), uint32(0), uint32(0), int32(0), bytes.Repeat([]byte{0xff}, 40))
	f.Add(uint16(9), uint16(4), uint32(60), uint32(7), int32(-1), make([]byte, 24))
	f.Fuzz(func(t *testing.T, stream, flags uint16, ppid, ctx uint32, assoc int32, rest []byte) {
		parseRcvCmsgs(rest) // no panic, no loop

		d := make([]byte, sizeofRcvInfo)
		binary.NativeEndian.PutUint16(d[0:], stream)
		binary.NativeEndian.PutUint16(d[4:], flags)
		binary.BigEndian.PutUint32(d[8:], ppid)
		binary.NativeEndian.PutUint32(d[20:], ctx)
		binary.NativeEndian.PutUint32(d[24:], uint32(assoc))
		b := append(mkCmsg(unix.IPPROTO_SCTP, sctpCmsgRcvInfo, d), rest...)
		want := MsgInfo{Stream: stream, Flags: MsgFlags(flags), PPID: ppid, Context: ctx, AssocID: assoc}
		if got := parseRcvCmsgs(b); got != want {
			t.Fatalf("parsed %+v, want %+v", got, want)
		}
	})
}
