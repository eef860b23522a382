package sctpdial

import (
	"net"
	"syscall"
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
