package sctpdial

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

const sizeofRTOInfo = 16 // struct sctp_rtoinfo: assoc id and three __u32 (ms)

var errNegativeDuration = errors.New("sctpdial: negative duration")

// SetNoDelay controls SCTP_NODELAY: true (the default of this package's
// dialer, as Go does for TCP) sends each message at once; false lets the
// kernel bundle small messages into fewer packets (RFC 6458 section
// 8.1.5).
func (c *Conn) SetNoDelay(noDelay bool) error {
	v := 0
	if noDelay {
		v = 1
	}
	return c.control("set", func(fd int) error {
		return os.NewSyscallError("setsockopt", unix.SetsockoptInt(fd, solSCTP, sctpNoDelay, v))
	})
}

// SetReadBuffer sets the socket's receive buffer (SO_RCVBUF), which also
// bounds the receive window the association advertises. As
// net.TCPConn's, it passes bytes to the kernel as they are (which caps
// them at net.core.rmem_max and doubles them): unlike Dialer.ReadBuffer,
// 0 and negative values mean nothing special.
func (c *Conn) SetReadBuffer(bytes int) error {
	return c.control("set", func(fd int) error {
		return os.NewSyscallError("setsockopt", unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, bytes))
	})
}

// SetWriteBuffer sets the socket's send buffer (SO_SNDBUF). A message
// larger than it can never be sent.
func (c *Conn) SetWriteBuffer(bytes int) error {
	return c.control("set", func(fd int) error {
		return os.NewSyscallError("setsockopt", unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, bytes))
	})
}

// SetHeartbeat sets HEARTBEATs on every path of the association
// (SCTP_PEER_ADDR_PARAMS spp_hbinterval with SPP_HB_ENABLE, or
// SPP_HB_DISABLE): a positive interval enables them at that interval
// (rounded up to milliseconds), a negative one disables them, and zero
// enables them at the current interval. This is the SCTP counterpart of
// net.TCPConn's keep-alive.
func (c *Conn) SetHeartbeat(interval time.Duration) error {
	return c.control("set", func(fd int) error {
		return setPaddrParams(fd, heartbeatParams(c.assoc, interval))
	})
}

// heartbeatParams is the SCTP_PEER_ADDR_PARAMS request that sets
// heartbeats on every path of assoc (0 on a socket not yet connected: the
// endpoint's defaults, which new associations inherit): SPP_HB_DISABLE
// for a negative interval, else SPP_HB_ENABLE with the interval rounded
// up to milliseconds (so at least 1 ms, and saturating at the __u32
// maximum). A zero interval leaves spp_hbinterval 0, which the kernel
// reads as "keep the current one" (sctp_apply_peer_addr_params).
func heartbeatParams(assoc int32, interval time.Duration) paddrParams {
	pp := paddrParams{assoc: assoc}
	if interval < 0 {
		pp.flags = sppHBDisable
		return pp
	}
	pp.flags = sppHBEnable
	pp.hbInterval, _ = millis(interval) // interval ≥ 0: no error
	return pp
}

// setPaddrParams sets SCTP_PEER_ADDR_PARAMS.
func setPaddrParams(fd int, pp paddrParams) error {
	if _, err := setsockopt(fd, solSCTP, sctpPeerAddrParams, pp.marshal()); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	return nil
}

// RTOInfo returns the association's retransmission timeout bounds
// (SCTP_RTOINFO, struct sctp_rtoinfo; RFC 6458 section 8.1.1).
func (c *Conn) RTOInfo() (RTOInfo, error) {
	return controlGet(c, getRTOInfo)
}

// SetRTOInfo sets the association's retransmission timeout bounds
// (SCTP_RTOINFO); zero fields keep their current values. The kernel
// rejects Min above Max with EINVAL.
func (c *Conn) SetRTOInfo(r RTOInfo) error {
	return c.control("set", func(fd int) error { return setRTOInfo(fd, c.assoc, r) })
}

// PathParams returns the association-wide path parameters
// (SCTP_PEER_ADDR_PARAMS with no address, struct sctp_paddrparams; RFC
// 6458 section 8.1.12).
func (c *Conn) PathParams() (PathParams, error) {
	return controlGet(c, getPathParams)
}

// SetPathParams applies p to every path of the association
// (SCTP_PEER_ADDR_PARAMS with no address); zero fields keep their current
// values.
func (c *Conn) SetPathParams(p PathParams) error {
	return c.control("set", func(fd int) error { return setPathParams(fd, c.assoc, p) })
}

// setRTOInfo sets SCTP_RTOINFO. With assoc 0 on a socket not yet
// connected it sets the endpoint's values, which the association inherits
// (sctp_setsockopt_rtoinfo).
func setRTOInfo(fd int, assoc int32, r RTOInfo) error {
	b, err := marshalRTOInfo(assoc, r)
	if err != nil {
		return err
	}
	if _, err := setsockopt(fd, solSCTP, sctpRTOInfo, b[:]); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	return nil
}

func getRTOInfo(fd int, assoc int32) (RTOInfo, error) {
	var b [sizeofRTOInfo]byte
	binary.NativeEndian.PutUint32(b[0:], uint32(assoc))
	if _, err := getsockopt(fd, solSCTP, sctpRTOInfo, b[:]); err != nil {
		return RTOInfo{}, os.NewSyscallError("getsockopt", err)
	}
	return unmarshalRTOInfo(b[:]), nil
}

// marshalRTOInfo lays out struct sctp_rtoinfo: srto_assoc_id, then
// srto_initial, srto_max and srto_min in milliseconds (0: unchanged).
func marshalRTOInfo(assoc int32, r RTOInfo) ([sizeofRTOInfo]byte, error) {
	var b [sizeofRTOInfo]byte
	binary.NativeEndian.PutUint32(b[0:], uint32(assoc))
	for i, d := range [...]time.Duration{r.Initial, r.Max, r.Min} {
		ms, err := millis(d)
		if err != nil {
			return b, err
		}
		binary.NativeEndian.PutUint32(b[4+4*i:], ms)
	}
	return b, nil
}

func unmarshalRTOInfo(b []byte) RTOInfo {
	return RTOInfo{
		Initial: time.Duration(binary.NativeEndian.Uint32(b[4:])) * time.Millisecond,
		Max:     time.Duration(binary.NativeEndian.Uint32(b[8:])) * time.Millisecond,
		Min:     time.Duration(binary.NativeEndian.Uint32(b[12:])) * time.Millisecond,
	}
}

// setPathParams sets SCTP_PEER_ADDR_PARAMS for every path of assoc; with
// assoc 0 on a socket not yet connected, the endpoint's defaults that the
// association inherits.
func setPathParams(fd int, assoc int32, p PathParams) error {
	pp, err := pathParamsToRaw(assoc, p)
	if err != nil {
		return err
	}
	return setPaddrParams(fd, pp)
}

func getPathParams(fd int, assoc int32) (PathParams, error) {
	pp := paddrParams{assoc: assoc}
	b := pp.marshal()
	if _, err := getsockopt(fd, solSCTP, sctpPeerAddrParams, b); err != nil {
		return PathParams{}, os.NewSyscallError("getsockopt", err)
	}
	pp.unmarshal(b)
	return pathParamsFromRaw(&pp), nil
}

// pathParamsToRaw maps PathParams onto struct sctp_paddrparams. The
// kernel reads spp_hbinterval only with SPP_HB_ENABLE and treats zero
// fields as "unchanged" (sctp_apply_peer_addr_params), so nothing is
// flagged for what p leaves zero.
func pathParamsToRaw(assoc int32, p PathParams) (paddrParams, error) {
	pp := paddrParams{assoc: assoc, pathMaxRxt: p.PathMaxRetrans}
	switch {
	case p.HeartbeatDisabled:
		pp.flags |= sppHBDisable
	case p.HeartbeatInterval < 0:
		return pp, errNegativeDuration
	case p.HeartbeatInterval > 0:
		ms, _ := millis(p.HeartbeatInterval)
		pp.flags |= sppHBEnable
		pp.hbInterval = ms
	}
	return pp, nil
}

func pathParamsFromRaw(pp *paddrParams) PathParams {
	return PathParams{
		HeartbeatInterval: time.Duration(pp.hbInterval) * time.Millisecond,
		HeartbeatDisabled: pp.flags&sppHBDisable != 0,
		PathMaxRetrans:    pp.pathMaxRxt,
		PathMTU:           pp.pathMTU,
	}
}

// millis rounds d up to whole milliseconds for a __u32 field.
func millis(d time.Duration) (uint32, error) {
	if d < 0 {
		return 0, errNegativeDuration
	}
	if d > math.MaxUint32*time.Millisecond {
		return math.MaxUint32, nil
	}
	return uint32((d + time.Millisecond - 1) / time.Millisecond), nil
}
