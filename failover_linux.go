package sctpdial

import (
	"encoding/binary"
	"os"
	"time"
	"unsafe"
)

// Kernel constants from include/uapi/linux/sctp.h.
const (
	sctpAssocInfo      = 1   // SCTP_ASSOCINFO
	sctpPeerAddrThlds2 = 37  // SCTP_PEER_ADDR_THLDS_V2
	sctpExposePFState  = 131 // SCTP_EXPOSE_POTENTIALLY_FAILED_STATE

	sizeofAssocParams = 20 // struct sctp_assocparams: id, 2 × __u16, 3 × __u32
)

// struct sctp_paddrthlds_v2 is not packed: its struct sockaddr_storage is
// aligned like a pointer (8 bytes on 64-bit, 4 on 32-bit), which decides
// where the address starts and how the three __u16 after it are padded
// (144 bytes on amd64, 140 on 386 and arm).
var (
	thldsAddrOff = max(4, int(unsafe.Alignof(uintptr(0))))
	thldsTailOff = thldsAddrOff + 128
	sizeofThlds2 = (thldsTailOff + 6 + thldsAddrOff - 1) / thldsAddrOff * thldsAddrOff
)

// marshalThresholds lays out struct sctp_paddrthlds_v2 for every path of
// assoc (a zero spt_address).
func marshalThresholds(assoc int32, t PathThresholds) []byte {
	b := make([]byte, sizeofThlds2)
	binary.NativeEndian.PutUint32(b[0:], uint32(assoc))
	binary.NativeEndian.PutUint16(b[thldsTailOff:], t.PathMaxRetrans)
	binary.NativeEndian.PutUint16(b[thldsTailOff+2:], t.PFThreshold)
	binary.NativeEndian.PutUint16(b[thldsTailOff+4:], t.SwitchoverThreshold)
	return b
}

func unmarshalThresholds(b []byte) PathThresholds {
	return PathThresholds{
		PathMaxRetrans:      binary.NativeEndian.Uint16(b[thldsTailOff:]),
		PFThreshold:         binary.NativeEndian.Uint16(b[thldsTailOff+2:]),
		SwitchoverThreshold: binary.NativeEndian.Uint16(b[thldsTailOff+4:]),
	}
}

func getThresholds(fd int, assoc int32) (PathThresholds, error) {
	b := marshalThresholds(assoc, PathThresholds{})
	if _, err := getsockopt(fd, solSCTP, sctpPeerAddrThlds2, b); err != nil {
		return PathThresholds{}, os.NewSyscallError("getsockopt", err)
	}
	return unmarshalThresholds(b), nil
}

// setThresholds sets SCTP_PEER_ADDR_THLDS_V2 on every path of assoc and
// on the association (with assoc 0 before connecting: the endpoint's
// values, which sctp_association_init copies).
func setThresholds(fd int, assoc int32, t PathThresholds) error {
	if _, err := setsockopt(fd, solSCTP, sctpPeerAddrThlds2, marshalThresholds(assoc, t)); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	return nil
}

func getAssocParams(fd int, assoc int32) (AssocParams, error) {
	var b [sizeofAssocParams]byte
	binary.NativeEndian.PutUint32(b[0:], uint32(assoc))
	if _, err := getsockopt(fd, solSCTP, sctpAssocInfo, b[:]); err != nil {
		return AssocParams{}, os.NewSyscallError("getsockopt", err)
	}
	return unmarshalAssocParams(b[:]), nil
}

func unmarshalAssocParams(b []byte) AssocParams {
	return AssocParams{
		MaxRetrans:       binary.NativeEndian.Uint16(b[4:]),
		PeerDestinations: binary.NativeEndian.Uint16(b[6:]),
		PeerRWND:         binary.NativeEndian.Uint32(b[8:]),
		LocalRWND:        binary.NativeEndian.Uint32(b[12:]),
		CookieLife:       time.Duration(binary.NativeEndian.Uint32(b[16:])) * time.Millisecond,
	}
}

// setAssocMaxRetrans sets sasoc_asocmaxrxt alone: the kernel ignores the
// zero fields (sctp_setsockopt_associnfo) and the windows entirely.
func setAssocMaxRetrans(fd int, assoc int32, n uint16) error {
	var b [sizeofAssocParams]byte
	binary.NativeEndian.PutUint32(b[0:], uint32(assoc))
	binary.NativeEndian.PutUint16(b[4:], n)
	if _, err := setsockopt(fd, solSCTP, sctpAssocInfo, b[:]); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	return nil
}

func getPFExpose(fd int, assoc int32) (PFExpose, error) {
	v, err := getAssocValue(fd, sctpExposePFState, assoc)
	if err != nil {
		return 0, os.NewSyscallError("getsockopt", err)
	}
	return PFExpose(v), nil
}

func setPFExpose(fd int, assoc int32, e PFExpose) error {
	if err := setAssocValue(fd, sctpExposePFState, assoc, uint32(e)); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	return nil
}

// apply sets what f asks for on assoc (0: the endpoint's defaults on a
// socket not yet connected), in the order the kernel's checks need: the
// path thresholds before the association's limit, which the kernel
// compares with their sum. The RTO bounds are set by the caller, merged
// with its own.
func (f *Failover) apply(fd int, assoc int32, rto bool) error {
	if rto && f.RTO != (RTOInfo{}) {
		if err := setRTOInfo(fd, assoc, f.RTO); err != nil {
			return err
		}
	}
	if f.HeartbeatInterval < 0 {
		return errNegativeDuration
	}
	if f.HeartbeatInterval > 0 {
		if err := setPaddrParams(fd, heartbeatParams(assoc, f.HeartbeatInterval)); err != nil {
			return err
		}
	}
	if f.Thresholds != nil {
		if err := setThresholds(fd, assoc, *f.Thresholds); err != nil {
			return err
		}
	}
	if f.AssocMaxRetrans != 0 {
		if err := setAssocMaxRetrans(fd, assoc, f.AssocMaxRetrans); err != nil {
			return err
		}
	}
	if f.ExposePF != PFExposeDefault {
		if err := setPFExpose(fd, assoc, f.ExposePF); err != nil {
			return err
		}
	}
	return nil
}

// SetFailover applies f to the association: its RTO bounds, the heartbeat
// interval and thresholds of every path, its retransmission limit and PF
// exposure (see Failover). Zero fields keep their values. The kernel
// refuses (EINVAL) an AssocMaxRetrans above the sum of the paths'
// PathMaxRetrans on a multi-homed association; the fields before it are
// set by then.
func (c *Conn) SetFailover(f Failover) error {
	return c.control("set", func(fd int) error { return f.apply(fd, c.assoc, true) })
}

// PathThresholds returns the association's path thresholds
// (SCTP_PEER_ADDR_THLDS_V2 with no address: the values new paths get,
// which SetPathThresholds gives every path).
func (c *Conn) PathThresholds() (PathThresholds, error) {
	return controlGet(c, getThresholds)
}

// SetPathThresholds sets the thresholds of every path of the association
// (SCTP_PEER_ADDR_THLDS_V2). PFThreshold and SwitchoverThreshold are set
// as given; a zero PathMaxRetrans keeps the current one.
func (c *Conn) SetPathThresholds(t PathThresholds) error {
	return c.control("set", func(fd int) error { return setThresholds(fd, c.assoc, t) })
}

// AssocParams returns the association's parameters (SCTP_ASSOCINFO).
func (c *Conn) AssocParams() (AssocParams, error) {
	return controlGet(c, getAssocParams)
}

// PFExpose returns the association's SCTP_EXPOSE_POTENTIALLY_FAILED_STATE
// setting; PFExposeDefault means nobody set it.
func (c *Conn) PFExpose() (PFExpose, error) {
	return controlGet(c, getPFExpose)
}
