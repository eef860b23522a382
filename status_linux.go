package sctpdial

import (
	"encoding/binary"
	"net"
	"net/netip"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

const (
	sizeofStatus     = 176 // struct sctp_status: 24 bytes, then struct sctp_paddrinfo
	sizeofPaddrInfo  = 152 // struct sctp_paddrinfo, packed, aligned(4)
	sizeofPrim       = 132 // struct sctp_prim, packed, aligned(4)
	sizeofSockaddrSt = 128 // struct sockaddr_storage
)

// Status returns the association's state, windows, stream counts and
// primary path (SCTP_STATUS, struct sctp_status; RFC 6458 section 8.2.1).
// Once the association has ended it fails with EINVAL.
func (c *Conn) Status() (Status, error) {
	var s Status
	err := c.control("get", func(fd int) (err error) {
		if s, err = getStatus(fd); err == nil {
			s.Primary.SRTT = jiffiesToDuration(uint64(s.Primary.SRTTRaw), kernelHZ(fd, c.assoc))
		}
		return err
	})
	if err != nil {
		return Status{}, err
	}
	return s, nil
}

// getStatus reads SCTP_STATUS on a one-to-one socket. The association id
// in the request is left 0: on such a socket the kernel ignores it and
// takes the socket's only association, or fails with EINVAL when there is
// none, on a listening socket or once the association has ended
// (sctp_id2assoc).
func getStatus(fd int) (Status, error) {
	var b [sizeofStatus]byte
	if _, err := getsockopt(fd, solSCTP, sctpStatus, b[:]); err != nil {
		return Status{}, os.NewSyscallError("getsockopt", err)
	}
	return unmarshalStatus(b[:]), nil
}

// Paths returns every peer address of the association with its state,
// congestion window, RTO and MTU: SCTP_GET_PEER_ADDRS, then
// SCTP_GET_PEER_ADDR_INFO for each (struct sctp_paddrinfo; RFC 6458
// section 8.2.2).
func (c *Conn) Paths() ([]PathInfo, error) {
	var paths []PathInfo
	err := c.control("get", func(fd int) error {
		peers, err := getAddrs(fd, sctpGetPeerAddrs, c.assoc)
		if err != nil {
			return os.NewSyscallError("getsockopt", err)
		}
		for _, a := range peers.IPAddrs {
			var b [sizeofPaddrInfo]byte
			binary.NativeEndian.PutUint32(b[0:], uint32(c.assoc))
			if err := putSockaddrStorage(b[4:4+sizeofSockaddrSt], a, peers.Port); err != nil {
				return err
			}
			_, err := getsockopt(fd, solSCTP, sctpGetPeerAddrInfo, b[:])
			switch err {
			case nil:
				p := unmarshalPaddrInfo(b[:])
				p.Addr = a
				p.SRTT = jiffiesToDuration(uint64(p.SRTTRaw), kernelHZ(fd, c.assoc))
				paths = append(paths, p)
			case unix.EACCES:
				// The path is potentially failed and net.sctp.pf_expose
				// hides its details (sctp_getsockopt_peer_addr_info).
				paths = append(paths, PathInfo{Addr: a, State: PathPF})
			case unix.EINVAL:
				// The address left the association since the list was read.
			default:
				return os.NewSyscallError("getsockopt", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return paths, nil
}

// SetPrimaryAddr makes ip, one of the peer's addresses, the primary path:
// the one new data goes to while it is reachable (SCTP_PRIMARY_ADDR, struct
// sctp_prim; RFC 6458 section 8.1.8). An address that is not the peer's
// fails with an error that says so and matches syscall.EINVAL.
func (c *Conn) SetPrimaryAddr(ip net.IP) error {
	return c.control("set", func(fd int) error {
		// The kernel finds the path by address and port
		// (sctp_addr_id2transport), so the peer's port goes in too.
		port := 0
		if peers, err := getAddrs(fd, sctpGetPeerAddrs, c.assoc); err == nil {
			port = peers.Port
		}
		var b [sizeofPrim]byte
		binary.NativeEndian.PutUint32(b[0:], uint32(c.assoc))
		if err := putSockaddrStorage(b[4:], net.IPAddr{IP: ip}, port); err != nil {
			return err
		}
		if _, err := setsockopt(fd, solSCTP, sctpPrimaryAddr, b[:]); err != nil {
			return explainNotPeer(fd, c.assoc, ip, os.NewSyscallError("setsockopt", err))
		}
		return nil
	})
}

// putSockaddrStorage writes a as a sockaddr_in or sockaddr_in6 at the
// start of b, a struct sockaddr_storage.
func putSockaddrStorage(b []byte, a net.IPAddr, port int) error {
	ip, ok := netip.AddrFromSlice(a.IP)
	if !ok {
		return &net.AddrError{Err: "invalid IP address", Addr: a.String()}
	}
	sa, err := packSockaddrs([]netip.Addr{ip.Unmap().WithZone(a.Zone)}, port)
	if err != nil {
		return err
	}
	copy(b, sa)
	return nil
}

// unmarshalStatus reads struct sctp_status: sstat_assoc_id, sstat_state,
// sstat_rwnd (u32 each), four u16 counters, the u32 fragmentation point,
// then the primary path's struct sctp_paddrinfo at offset 24.
func unmarshalStatus(b []byte) Status {
	s := Status{
		AssocID:            int32(binary.NativeEndian.Uint32(b[0:])),
		State:              AssocState(binary.NativeEndian.Uint32(b[4:])),
		PeerRWND:           binary.NativeEndian.Uint32(b[8:]),
		Unacked:            binary.NativeEndian.Uint16(b[12:]),
		Pending:            binary.NativeEndian.Uint16(b[14:]),
		InStreams:          binary.NativeEndian.Uint16(b[16:]),
		OutStreams:         binary.NativeEndian.Uint16(b[18:]),
		FragmentationPoint: binary.NativeEndian.Uint32(b[20:]),
		Primary:            unmarshalPaddrInfo(b[24:]),
	}
	if a := parseSockaddrs(b[24+4:24+4+sizeofSockaddrSt], 1); len(a.IPAddrs) == 1 {
		s.Primary.Addr = a.IPAddrs[0]
	}
	return s
}

// unmarshalPaddrInfo reads struct sctp_paddrinfo, which linux/sctp.h
// packs with 4-byte alignment: spinfo_assoc_id, the 128-byte
// spinfo_address, then spinfo_state, cwnd, srtt, rto and mtu at offset 132.
// The address is left to the caller.
func unmarshalPaddrInfo(b []byte) PathInfo {
	return PathInfo{
		State:   PathState(binary.NativeEndian.Uint32(b[132:])),
		Cwnd:    binary.NativeEndian.Uint32(b[136:]),
		SRTTRaw: binary.NativeEndian.Uint32(b[140:]),
		RTO:     time.Duration(binary.NativeEndian.Uint32(b[144:])) * time.Millisecond,
		MTU:     binary.NativeEndian.Uint32(b[148:]),
	}
}
