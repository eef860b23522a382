package sctpdial

import "encoding/binary"

// paddrParams is struct sctp_paddrparams, which linux/sctp.h declares
// packed with 4-byte alignment: no padding after the 4-byte association id
// nor around the 16-bit spp_pathmaxrxt, so it is marshalled by hand.
type paddrParams struct {
	assoc      int32
	address    [128]byte // struct sockaddr_storage; zero: every path
	hbInterval uint32    // ms
	pathMaxRxt uint16
	pathMTU    uint32
	sackDelay  uint32
	flags      uint32
	ipv6Flow   uint32
	dscp       uint8
}

const sizeofPaddrParams = 156 // sizeof(struct sctp_paddrparams) on Linux ≥ 4.17

func (p *paddrParams) marshal() []byte {
	b := make([]byte, sizeofPaddrParams)
	binary.NativeEndian.PutUint32(b[0:], uint32(p.assoc))
	copy(b[4:132], p.address[:])
	binary.NativeEndian.PutUint32(b[132:], p.hbInterval)
	binary.NativeEndian.PutUint16(b[136:], p.pathMaxRxt)
	binary.NativeEndian.PutUint32(b[138:], p.pathMTU)
	binary.NativeEndian.PutUint32(b[142:], p.sackDelay)
	binary.NativeEndian.PutUint32(b[146:], p.flags)
	binary.NativeEndian.PutUint32(b[150:], p.ipv6Flow)
	b[154] = p.dscp
	return b
}

func (p *paddrParams) unmarshal(b []byte) {
	if len(b) < 155 {
		return
	}
	p.assoc = int32(binary.NativeEndian.Uint32(b[0:]))
	copy(p.address[:], b[4:132])
	p.hbInterval = binary.NativeEndian.Uint32(b[132:])
	p.pathMaxRxt = binary.NativeEndian.Uint16(b[136:])
	p.pathMTU = binary.NativeEndian.Uint32(b[138:])
	p.sackDelay = binary.NativeEndian.Uint32(b[142:])
	p.flags = binary.NativeEndian.Uint32(b[146:])
	p.ipv6Flow = binary.NativeEndian.Uint32(b[150:])
	p.dscp = b[154]
}
