package sctpdial

import (
	"errors"
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ishidawataru/sctp"
	"golang.org/x/sys/unix"
)

// Conn is an SCTP association on a one-to-one (SOCK_STREAM) socket,
// served by Go's runtime network poller: deadlines work and Close unblocks
// a pending Read or Write. It implements net.Conn and syscall.Conn.
//
// Write sends each call as one SCTP message; Read returns the byte stream
// of incoming messages, so io.Copy and bufio work as they do on TCP.
type Conn struct {
	f      *os.File
	rc     syscall.RawConn
	net    string
	assoc  int32 // association id, 0 when the kernel did not report one
	laddr  atomic.Pointer[sctp.SCTPAddr]
	raddr  atomic.Pointer[sctp.SCTPAddr]
	closed atomic.Bool
}

var (
	_ net.Conn     = (*Conn)(nil)
	_ syscall.Conn = (*Conn)(nil)
)

// newConn wraps a connected non-blocking descriptor. os.NewFile registers
// it with the poller because it is non-blocking; the Conn owns fd from here
// on, also on error.
func newConn(fd int, network string, assoc int32) (*Conn, error) {
	f := os.NewFile(uintptr(fd), "sctp")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	c := &Conn{f: f, rc: rc, net: network, assoc: assoc}
	c.refreshAddrs()
	return c, nil
}

// refreshAddrs re-reads every local and peer address of the association;
// on failure (a closed socket) the last known ones stay.
func (c *Conn) refreshAddrs() {
	c.rc.Control(func(fd uintptr) {
		if a, err := getAddrs(int(fd), sctpGetLocalAddrs, c.assoc); err == nil && len(a.IPAddrs) > 0 {
			c.laddr.Store(a)
		}
		if a, err := getAddrs(int(fd), sctpGetPeerAddrs, c.assoc); err == nil && len(a.IPAddrs) > 0 {
			c.raddr.Store(a)
		}
	})
}

// LocalAddr returns every local address of the association (from
// SCTP_GET_LOCAL_ADDRS) as a *sctp.SCTPAddr.
func (c *Conn) LocalAddr() net.Addr {
	if !c.closed.Load() {
		c.refreshAddrs()
	}
	if a := c.laddr.Load(); a != nil {
		return a
	}
	return nil
}

// RemoteAddr returns every address of the peer (from SCTP_GET_PEER_ADDRS)
// as a *sctp.SCTPAddr. Unlike getpeername(2), which reports the last
// address given to connectx, it lists all paths.
func (c *Conn) RemoteAddr() net.Addr {
	if !c.closed.Load() {
		c.refreshAddrs()
	}
	if a := c.raddr.Load(); a != nil {
		return a
	}
	return nil
}

// Read reads the incoming byte stream. A message longer than b is returned
// over several calls, as the kernel delivers it.
func (c *Conn) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	var n int
	var errno error
	err := c.rc.Read(func(fd uintptr) bool {
		n, errno = unix.Read(int(fd), b)
		return errno != unix.EAGAIN
	})
	if err == nil {
		err = errno
	}
	if err != nil {
		return 0, c.opError("read", err)
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// Write sends b as one SCTP message on stream 0. An empty b sends nothing:
// SCTP has no empty messages (the kernel answers EINVAL).
func (c *Conn) Write(b []byte) (int, error) {
	if len(b) == 0 {
		if c.closed.Load() {
			return 0, c.opError("write", net.ErrClosed)
		}
		return 0, nil
	}
	var n int
	var errno error
	err := c.rc.Write(func(fd uintptr) bool {
		n, errno = unix.Write(int(fd), b)
		return errno != unix.EAGAIN
	})
	if err == nil {
		err = errno
	}
	if err != nil {
		return 0, c.opError("write", err)
	}
	return n, nil
}

// Close closes the association gracefully (SCTP SHUTDOWN) and unblocks
// pending reads and writes, which return net.ErrClosed.
func (c *Conn) Close() error {
	if c == nil || c.f == nil {
		return syscall.EINVAL
	}
	if c.closed.Swap(true) {
		return c.opError("close", net.ErrClosed)
	}
	if err := c.f.Close(); err != nil {
		return c.opError("close", err)
	}
	return nil
}

// SetDeadline sets the read and write deadlines, as net.Conn documents.
func (c *Conn) SetDeadline(t time.Time) error {
	return c.deadlineErr(c.f.SetDeadline(t))
}

// SetReadDeadline sets the deadline for Read calls.
func (c *Conn) SetReadDeadline(t time.Time) error {
	return c.deadlineErr(c.f.SetReadDeadline(t))
}

// SetWriteDeadline sets the deadline for Write calls.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	return c.deadlineErr(c.f.SetWriteDeadline(t))
}

func (c *Conn) deadlineErr(err error) error {
	if err != nil {
		return c.opError("set", err)
	}
	return nil
}

// SyscallConn returns the raw connection, for socket options this package
// does not wrap.
func (c *Conn) SyscallConn() (syscall.RawConn, error) {
	if c.closed.Load() {
		return nil, c.opError("raw-control", net.ErrClosed)
	}
	return c.rc, nil
}

// AssocID returns the association id the kernel assigned (sctp_assoc_t).
func (c *Conn) AssocID() int32 { return c.assoc }

// opError wraps err as package net does: *net.OpError around
// *os.SyscallError for errnos, net.ErrClosed for a closed Conn, and
// os.ErrDeadlineExceeded (Timeout() true) for deadlines.
func (c *Conn) opError(op string, err error) error {
	var errno syscall.Errno
	switch {
	case c.closed.Load() && !errors.Is(err, os.ErrDeadlineExceeded):
		// os.File reports "use of closed file", which is not net.ErrClosed.
		err = net.ErrClosed
	case errors.As(err, &errno):
		err = os.NewSyscallError(op, errno)
	}
	oe := &net.OpError{Op: op, Net: c.net, Err: err}
	if a := c.laddr.Load(); a != nil {
		oe.Source = a
	}
	if a := c.raddr.Load(); a != nil {
		oe.Addr = a
	}
	return oe
}
