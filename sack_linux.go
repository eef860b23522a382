package sctpdial

import (
	"encoding/binary"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// sctpDelayedSACK is SCTP_DELAYED_SACK (linux/sctp.h: SCTP_DELAYED_ACK_TIME,
// 16), whose argument is struct sctp_sack_info {sctp_assoc_t sack_assoc_id;
// uint32_t sack_delay; uint32_t sack_freq;}.
const (
	sctpDelayedSACK = 16
	sizeofSackInfo  = 12
)

// setDelayedSACK sets SCTP_DELAYED_SACK for assoc (0: the endpoint's
// default on an unconnected socket, the association on a connected one).
// Zero fields are left as they are (sctp_setsockopt_delayed_ack).
func setDelayedSACK(fd int, assoc int32, s DelayedSACK) error {
	if s == (DelayedSACK{}) {
		return nil
	}
	if s.Delay < 0 || s.Delay > maxSACKDelay {
		return os.NewSyscallError("setsockopt", unix.EINVAL)
	}
	var b [sizeofSackInfo]byte
	binary.NativeEndian.PutUint32(b[0:], uint32(assoc))
	binary.NativeEndian.PutUint32(b[4:], uint32((s.Delay+time.Millisecond-1)/time.Millisecond))
	binary.NativeEndian.PutUint32(b[8:], s.Frequency)
	if _, err := setsockopt(fd, solSCTP, sctpDelayedSACK, b[:]); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	return nil
}

// getDelayedSACK reads SCTP_DELAYED_SACK. With delayed SACK off the kernel
// reports delay 0 and frequency 1 (sctp_getsockopt_delayed_ack).
func getDelayedSACK(fd int, assoc int32) (DelayedSACK, error) {
	var b [sizeofSackInfo]byte
	binary.NativeEndian.PutUint32(b[0:], uint32(assoc))
	if _, err := getsockopt(fd, solSCTP, sctpDelayedSACK, b[:]); err != nil {
		return DelayedSACK{}, os.NewSyscallError("getsockopt", err)
	}
	return DelayedSACK{
		Delay:     time.Duration(binary.NativeEndian.Uint32(b[4:])) * time.Millisecond,
		Frequency: binary.NativeEndian.Uint32(b[8:]),
	}, nil
}

// setBuffers sets SO_RCVBUF and SO_SNDBUF where positive. They must be set
// before the association exists: its initial receive window is half the
// receive buffer (sctp_association_init). The kernel doubles the value
// and caps it at net.core.rmem_max / wmem_max.
func setBuffers(fd, rcv, snd int) error {
	if rcv > 0 {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, rcv); err != nil {
			return os.NewSyscallError("setsockopt", err)
		}
	}
	if snd > 0 {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, snd); err != nil {
			return os.NewSyscallError("setsockopt", err)
		}
	}
	return nil
}

// DelayedSACK reads the association's delayed-SACK setting. With delayed
// SACK off it is Frequency 1 and Delay 0.
func (c *Conn) DelayedSACK() (DelayedSACK, error) {
	return controlGet(c, getDelayedSACK)
}

// SetDelayedSACK changes the association's delayed SACK; zero fields keep
// their value. SignallingProfile().DelayedSACK turns it off.
func (c *Conn) SetDelayedSACK(s DelayedSACK) error {
	return c.control("set", func(fd int) error { return setDelayedSACK(fd, c.assoc, s) })
}
