package sctpdial

import (
	"errors"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// emptyIOErr is the result of a Read or Write of an empty buffer: nothing
// happens, but a closed Conn says so, as package net's do (poll.FD takes
// its lock before it looks at the length).
func (c *Conn) emptyIOErr(op string) error {
	if c.closed.Load() {
		return c.opError(op, net.ErrClosed)
	}
	return nil
}

// rawConn is the syscall.RawConn that SyscallConn hands out. It wraps the
// os.File's, whose errors after Close ("use of closed file") match neither
// net.ErrClosed nor os.ErrClosed, into *net.OpError values around
// net.ErrClosed, as package net's raw connections do.
type rawConn struct{ c *Conn }

var _ syscall.RawConn = rawConn{}

func (r rawConn) Control(f func(fd uintptr)) error {
	return r.wrap("raw-control", r.c.rc.Control(f))
}

func (r rawConn) Read(f func(fd uintptr) bool) error {
	return r.wrap("raw-read", r.c.rc.Read(f))
}

func (r rawConn) Write(f func(fd uintptr) bool) error {
	return r.wrap("raw-write", r.c.rc.Write(f))
}

func (r rawConn) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return r.c.opError(op, err)
}

// endState is what a Conn knows about the end of its association, so that
// a Read or Write that meets EAGAIN asks the kernel whether the
// association still exists only when it may have ended, not on every wait.
type endState struct {
	hint atomic.Bool // a call returned the errno of an ending association
	gone atomic.Bool // SCTP_STATUS found no association: final
}

// note records that recvmsg or sendmsg returned errno.
func (e *endState) note(errno unix.Errno) {
	switch errno {
	case unix.ECONNRESET, unix.ETIMEDOUT, unix.EPIPE, unix.ENOTCONN, unix.ECONNABORTED, unix.ESHUTDOWN:
		e.hint.Store(true)
	}
}

// ended reports, when recvmsg or sendmsg answered EAGAIN, that the
// association is gone. Once it has ended (ABORT, COMM_LOST, or the end of
// a shutdown this side started with CloseWrite) and its error, if any,
// was returned, a non-blocking recvmsg answers EAGAIN for ever and poll
// never wakes the socket again (sctp_skb_recv_datagram returns EAGAIN
// before sctp_wait_for_packet's ENOTCONN check; sctp_poll reports nothing
// on a CLOSED socket).
//
// SCTP_STATUS (a getsockopt that takes the socket lock) is asked only when
// the association may have ended: after a wakeup that found nothing (the
// end wakes waiters, with EPOLLERR or a COMM_LOST or SHUTDOWN_COMP
// notification), after a notification was read (an accepted association
// whose shutdown completed after Accept is freed with SHUTDOWN_COMP as
// its only word: see Listener.AcceptSCTP), after a call returned an
// ending errno (the kernel hands the association's error to one call
// only), or after CloseWrite. The first EAGAIN of a wait, the steady
// state of every blocking Read, costs nothing more. A program that takes
// the pending error itself (SO_ERROR through SyscallConn) leaves a later
// Read waiting for its deadline.
func (c *Conn) ended(fd uintptr, woken bool) bool {
	if c.end.gone.Load() {
		return true
	}
	if !woken && !c.end.hint.Load() && !c.wrShut.Load() {
		return false
	}
	if !assocGone(int(fd)) {
		return false
	}
	c.end.gone.Store(true)
	return true
}

// pollFaultRetry is how often a Read polls while the runtime poller
// cannot wait for it (see recvAfterPollFault).
const pollFaultRetry = 5 * time.Millisecond

// pollFault reports that the runtime poller failed a Read's wait without
// an errno ("not pollable"). On a wakeup with EPOLLERR alone, which is
// what the end of an association raises when nothing is queued, the
// runtime keeps an error bit that fails every later wait of a reader
// (netpollcheckerr) until another event arrives, and on an ended
// association none does. RawConn.Read fails otherwise only when closing
// (c.closed is set before the descriptor is closed) or at the deadline.
func (c *Conn) pollFault(err error) bool {
	return !c.closed.Load() && !errors.Is(err, os.ErrDeadlineExceeded)
}

// recvAfterPollFault answers a Read the poller could not wait for, as a
// blocking socket's sctp_wait_for_packet would: what is still queued,
// else the socket's pending error (ECONNRESET after an ABORT, ETIMEDOUT
// after COMM_LOST), else io.EOF once the association is gone. While the
// association lives (an EPOLLERR for a soft error), it polls until data,
// the deadline or Close. c.rx.mu is held.
func (c *Conn) recvAfterPollFault() error {
	rx := &c.rx
	for {
		// More than one call: recvOnce treats EAGAIN as after a wakeup.
		rx.calls = 1
		done := false
		if err := c.rc.Control(func(fd uintptr) { done = c.recvOnce(fd) }); err != nil {
			return err
		}
		if done {
			return nil
		}
		time.Sleep(pollFaultRetry)
		err := c.rc.Read(rx.fn)
		if err == nil || !c.pollFault(err) {
			return err
		}
	}
}
