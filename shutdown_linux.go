package sctpdial

import (
	"context"
	"errors"
	"net"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Shutdown ends the association gracefully and closes c: it stops new
// writes (CloseWrite: the kernel sends what it holds, then SHUTDOWN),
// waits until the peer has acknowledged everything written before
// (the association passed SHUTDOWN_SENT, whose chunk the kernel sends
// only once nothing is left unacknowledged, RFC 9260 section 9.2, or
// ended with no error), then closes c. It returns nil only then: nothing
// written before Shutdown is lost. When ctx ends first it aborts the
// association (ABORT) and returns ctx's error; when the association ends
// otherwise (the peer's ABORT, COMM_LOST) it returns that error.
//
// Data received but not read when Shutdown returns is discarded. The peer
// may still send what it had queued before it acknowledges the SHUTDOWN:
// if that can exceed c's receive buffer, keep reading (from another
// goroutine) until Shutdown returns, or it cannot complete. The
// association's end is seen by polling SCTP_STATUS (every 1 ms at first,
// backing off to 20 ms), so Shutdown needs no reader; another goroutine
// may go on reading meanwhile.
func (c *Conn) Shutdown(ctx context.Context) error {
	if !c.ok() {
		return syscall.EINVAL
	}
	if err := c.CloseWrite(); err != nil {
		if !errors.Is(err, net.ErrClosed) {
			c.Close()
		}
		return err
	}
	acked := false
	wait := time.Millisecond
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		var st Status
		var stErr, soErr error
		err := c.control("shutdown", func(fd int) error {
			st, stErr = getStatus(fd)
			if stErr != nil {
				if v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR); err == nil && v != 0 {
					soErr = os.NewSyscallError("shutdown", syscall.Errno(v))
				}
			}
			return nil
		})
		switch {
		case err != nil:
			return err
		case stErr != nil:
			// The association is gone (sctp_id2assoc finds none). The error
			// is made before Close, after which opError says net.ErrClosed.
			var err error
			if soErr != nil && !acked {
				err = c.opError("shutdown", soErr)
			}
			c.Close()
			return err
		case st.State == StateShutdownSent || st.State == StateShutdownAckSent:
			acked = true
		}
		select {
		case <-t.C:
			wait = min(2*wait, 20*time.Millisecond)
			t.Reset(wait)
		case <-ctx.Done():
			err := c.opError("shutdown", mapCtxErr(ctx.Err()))
			c.abort()
			return err
		}
	}
}

// abort ends the association with an ABORT chunk and closes c: close(2)
// with SO_LINGER on and a zero timeout (sctp_close calls
// sctp_primitive_ABORT). The SCTP_ABORT send flag, which could carry a
// reason, is rejected on one-to-one sockets (see MsgFlags).
func (c *Conn) abort() {
	if !c.ok() {
		return
	}
	c.rc.Control(func(fd uintptr) { setLinger0(int(fd)) })
	c.Close()
}

// setLinger0 makes close(2) abort the association.
func setLinger0(fd int) error {
	return os.NewSyscallError("setsockopt", unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0}))
}
