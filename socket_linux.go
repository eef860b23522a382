package sctpdial

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// newSocketFile opens a non-blocking one-to-one SCTP socket of family
// (AF_INET or AF_INET6) and hands it to the runtime poller. On error
// nothing stays open.
func newSocketFile(family int) (*os.File, syscall.RawConn, error) {
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_SCTP)
	if err != nil {
		return nil, nil, os.NewSyscallError("socket", err)
	}
	return wrapFD(fd, false)
}

// wrapFD makes fd, a non-blocking socket, an *os.File with its raw
// connection. os.NewFile registers a descriptor with the runtime poller
// only when it is non-blocking (newFile's kindNonBlock check), which is
// what makes deadlines and Close interrupt waiting calls. The File owns fd
// from here on, also on error, when it is closed (aborting the
// association first if abort is set: a dial's socket after connectx).
func wrapFD(fd int, abort bool) (*os.File, syscall.RawConn, error) {
	f := os.NewFile(uintptr(fd), "sctp")
	rc, err := f.SyscallConn()
	if err != nil {
		if abort {
			abortWhenClosed(fd)
		}
		f.Close()
		return nil, nil, err
	}
	return f, rc, nil
}

// fdRawConn is the syscall.RawConn that a dial's control hooks get: the
// bare descriptor, before it is on the runtime poller. Control runs f; Read
// and Write run f once and, if it asks to wait, fail as package net's do on
// a descriptor that is not on the poller yet.
type fdRawConn int

var errNotOnPoller = errors.New("sctpdial: the socket is not on the poller yet")

func (c fdRawConn) Control(f func(fd uintptr)) error {
	f(uintptr(c))
	return nil
}

func (c fdRawConn) Read(f func(fd uintptr) bool) error {
	if f(uintptr(c)) {
		return nil
	}
	return errNotOnPoller
}

func (c fdRawConn) Write(f func(fd uintptr) bool) error { return c.Read(f) }

// dupFD duplicates fd with F_DUPFD_CLOEXEC, as package net's File methods
// do. The copy shares the open file description: closing one leaves the
// other working, but file status flags such as O_NONBLOCK are common to
// both.
func dupFD(fd int) (int, error) {
	nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return -1, os.NewSyscallError("fcntl", err)
	}
	return nfd, nil
}

// hookNetwork is the network passed to Control hooks: "sctp4" or "sctp6"
// after the socket's family, as package net passes "tcp4" or "tcp6".
func hookNetwork(family int) string {
	if family == unix.AF_INET6 {
		return "sctp6"
	}
	return "sctp4"
}
