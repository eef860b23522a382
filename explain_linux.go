package sctpdial

import (
	"errors"
	"net"
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// The kernel answers several mistakes with a bare EINVAL. On that error
// path only, the functions below look at the association to say which
// mistake it was; the error still matches syscall.EINVAL with errors.Is.

// invalidArgError is EINVAL with the reason the kernel does not give. It
// goes inside the *os.SyscallError that the bare errno would be in.
type invalidArgError struct{ reason string }

func (e *invalidArgError) Error() string { return "invalid argument: " + e.reason }

// Is makes errors.Is(err, syscall.EINVAL) hold, as for the bare errno.
func (e *invalidArgError) Is(target error) bool { return target == syscall.EINVAL }

// explainNotPeer replaces the EINVAL of SCTP_PRIMARY_ADDR (and of other
// per-path options) when ip is not one of the association's peer
// addresses; any other error is returned as it is.
func explainNotPeer(fd int, assoc int32, ip net.IP, err error) error {
	if !errors.Is(err, unix.EINVAL) {
		return err
	}
	peers, perr := getAddrs(fd, sctpGetPeerAddrs, assoc)
	if perr != nil {
		return err
	}
	for _, a := range peers.IPAddrs {
		if a.IP.Equal(ip) {
			return err
		}
	}
	return os.NewSyscallError("setsockopt", &invalidArgError{ip.String() + " is not a peer address of this association (peers: " + HostPort(peers) + ")"})
}

// explainSendEINVAL replaces the EINVAL of a send whose stream is not
// below the association's outbound stream count.
func (c *Conn) explainSendEINVAL(err error, stream uint16) error {
	if !errors.Is(err, unix.EINVAL) {
		return err
	}
	st, serr := c.Status()
	if serr != nil || stream < st.OutStreams {
		return err
	}
	var oe *net.OpError
	if !errors.As(err, &oe) {
		return err
	}
	e := *oe
	e.Err = os.NewSyscallError("sendmsg", &invalidArgError{"stream " + strconv.Itoa(int(stream)) +
		" out of range: the association has " + strconv.Itoa(int(st.OutStreams)) + " outbound streams (Status.OutStreams; ask for more with Dialer.InitMsg)"})
	return &e
}
