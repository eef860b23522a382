package sctpdial

import (
	"encoding/binary"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Kernel constants from include/uapi/linux/sctp.h (x/sys/unix has only
// IPPROTO_SCTP and SOL_SCTP).
const (
	solSCTP = 132 // SOL_SCTP

	sctpRTOInfo          = 0   // SCTP_RTOINFO
	sctpInitMsg          = 2   // SCTP_INITMSG
	sctpNoDelay          = 3   // SCTP_NODELAY
	sctpPrimaryAddr      = 6   // SCTP_PRIMARY_ADDR
	sctpPeerAddrParams   = 9   // SCTP_PEER_ADDR_PARAMS
	sctpEvents           = 11  // SCTP_EVENTS
	sctpStatus           = 14  // SCTP_STATUS
	sctpGetPeerAddrInfo  = 15  // SCTP_GET_PEER_ADDR_INFO
	sctpRecvRcvInfo      = 32  // SCTP_RECVRCVINFO
	sctpSockoptBindxAdd  = 100 // SCTP_SOCKOPT_BINDX_ADD
	sctpGetPeerAddrs     = 108 // SCTP_GET_PEER_ADDRS
	sctpGetLocalAddrs    = 109 // SCTP_GET_LOCAL_ADDRS
	sctpSockoptConnectx  = 110 // SCTP_SOCKOPT_CONNECTX
	sctpSockoptConnectx3 = 111 // SCTP_SOCKOPT_CONNECTX3

	// struct sctp_paddrparams spp_flags.
	sppHBEnable  = 1 << 0 // SPP_HB_ENABLE
	sppHBDisable = 1 << 1 // SPP_HB_DISABLE
)

// getsockopt and setsockopt pass raw buffers: SCTP's options are structs
// (often packed) that x/sys/unix has no helpers for. The buffer stays
// reachable for the duration of the call because it is an argument.
func getsockopt(fd, level, opt int, buf []byte) (int, error) {
	l := uint32(len(buf))
	var p unsafe.Pointer
	if len(buf) > 0 {
		p = unsafe.Pointer(&buf[0])
	}
	_, _, e := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(fd), uintptr(level), uintptr(opt),
		uintptr(p), uintptr(unsafe.Pointer(&l)), 0)
	if e != 0 {
		return 0, e
	}
	return int(l), nil
}

// setsockopt returns the syscall's result, which SCTP_SOCKOPT_CONNECTX
// uses to return the association id.
func setsockopt(fd, level, opt int, buf []byte) (int, error) {
	var p unsafe.Pointer
	if len(buf) > 0 {
		p = unsafe.Pointer(&buf[0])
	}
	r, _, e := unix.Syscall6(unix.SYS_SETSOCKOPT, uintptr(fd), uintptr(level), uintptr(opt),
		uintptr(p), uintptr(len(buf)), 0)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// getAssocValue and setAssocValue read and write one struct
// sctp_assoc_value option: the association id, then a 32-bit value, in
// host byte order.
func getAssocValue(fd, opt int, assoc int32) (uint32, error) {
	var b [8]byte
	binary.NativeEndian.PutUint32(b[0:], uint32(assoc))
	if _, err := getsockopt(fd, solSCTP, opt, b[:]); err != nil {
		return 0, err
	}
	return binary.NativeEndian.Uint32(b[4:]), nil
}

func setAssocValue(fd, opt int, assoc int32, v uint32) error {
	var b [8]byte
	binary.NativeEndian.PutUint32(b[0:], uint32(assoc))
	binary.NativeEndian.PutUint32(b[4:], v)
	_, err := setsockopt(fd, solSCTP, opt, b[:])
	return err
}
