package sctpdial

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
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
//
// WriteMsg and ReadMsg carry the stream and payload protocol identifier of
// each message; Status, Paths and the option methods expose the
// association; SetNotificationHandler subscribes to SCTP notifications.
type Conn struct {
	// Only f, rc, net and assoc need setting: every other field's zero
	// value is ready.
	f      *os.File
	rc     syscall.RawConn
	net    string
	assoc  int32                         // association id, 0 when the kernel did not report one
	laddr  atomic.Pointer[sctp.SCTPAddr] // last list read, or the seed
	raddr  atomic.Pointer[sctp.SCTPAddr] // last list read, the dial list, or the seed
	closed atomic.Bool
	// What the dial or accept learnt for free, until a list is read:
	// getsockname, and the dialed addresses or accept4's peer.
	lseed netip.AddrPort
	rseed []netip.Addr
	rport int
	// guardedPort: a dial's Conn whose local port the kernel picked
	// (dialPlan.guardsPort); Close records the port in endedPorts
	// (portreuse.go).
	guardedPort bool
	// accepted: a Listener's Conn, subscribed to SCTP_ASSOC_CHANGE from
	// the start (Listener.AcceptSCTP).
	accepted bool

	rx       rxState                      // Read and ReadMsg (msg_linux.go)
	tx       txState                      // Write and WriteMsg
	notifyMu sync.Mutex                   // serialises subscription changes
	notify   atomic.Pointer[notifyConfig] // notify_linux.go; nil: no handler
	wrShut   atomic.Bool                  // CloseWrite was called
	end      endState                     // conn_end_linux.go

	notifyCounts notifyCounters // stats_linux.go

	addrChanges atomic.Bool // this side offered ASCONF (asconf_linux.go)
}

var (
	_ net.Conn     = (*Conn)(nil)
	_ syscall.Conn = (*Conn)(nil)
)

// newConn wraps a connected non-blocking descriptor; the Conn owns fd
// from here on, also on error.
func newConn(fd int, network string, assoc int32) (*Conn, error) {
	f, rc, err := wrapFD(fd, false)
	if err != nil {
		return nil, err
	}
	return &Conn{f: f, rc: rc, net: network, assoc: assoc}, nil
}

// ok reports whether c came from this package (a dial or an accept): a
// nil or zero Conn has no socket, and its methods fail with EINVAL as
// package net's do.
func (c *Conn) ok() bool { return c != nil && c.f != nil && c.rc != nil }

// refreshAddr re-reads one address list (SCTP_GET_LOCAL_ADDRS or
// SCTP_GET_PEER_ADDRS) into dst; on failure (a closed socket, an ended
// association) the last known one stays.
func (c *Conn) refreshAddr(opt int, dst *atomic.Pointer[sctp.SCTPAddr]) {
	if c.closed.Load() {
		return
	}
	c.rc.Control(func(fd uintptr) {
		if a, err := getAddrs(int(fd), opt, c.assoc); err == nil && len(a.IPAddrs) > 0 {
			dst.Store(a)
		}
	})
}

// knownLocal and knownRemote return the last list read or, before any
// was, the seed: what the dial or accept already knew. They never return
// nil.
func (c *Conn) knownLocal() *sctp.SCTPAddr {
	if a := c.laddr.Load(); a != nil {
		return a
	}
	var seed []netip.Addr
	if c.lseed.IsValid() {
		seed = []netip.Addr{c.lseed.Addr()}
	}
	return knownAddr(&c.laddr, seed, int(c.lseed.Port()))
}

func (c *Conn) knownRemote() *sctp.SCTPAddr { return knownAddr(&c.raddr, c.rseed, c.rport) }

func knownAddr(dst *atomic.Pointer[sctp.SCTPAddr], seed []netip.Addr, port int) *sctp.SCTPAddr {
	if a := dst.Load(); a != nil {
		return a
	}
	a := toSCTPAddr(seed, port)
	if dst.CompareAndSwap(nil, a) {
		return a
	}
	return dst.Load()
}

// LocalAddr returns every local address of the association (from
// SCTP_GET_LOCAL_ADDRS) as a *sctp.SCTPAddr. Once the association or the
// Conn is gone it returns the last list read or, if none was, the address
// the socket was bound to when it was dialed or accepted, as package net's
// TCP conns keep theirs. It returns nil only for a Conn not made by this
// package.
func (c *Conn) LocalAddr() net.Addr {
	if !c.ok() {
		return nil
	}
	c.refreshAddr(sctpGetLocalAddrs, &c.laddr)
	return c.knownLocal()
}

// RemoteAddr returns every address of the peer (from SCTP_GET_PEER_ADDRS)
// as a *sctp.SCTPAddr. Unlike getpeername(2), which reports the last
// address given to connectx, it lists all paths. Once the association or
// the Conn is gone it returns the last list read or, if none was, the
// addresses dialed (the peer address accept4 returned, on an accepted
// Conn). It returns nil only for a Conn not made by this package.
func (c *Conn) RemoteAddr() net.Addr {
	if !c.ok() {
		return nil
	}
	c.refreshAddr(sctpGetPeerAddrs, &c.raddr)
	return c.knownRemote()
}

// Read reads the incoming byte stream. A message longer than b is returned
// over several calls, as the kernel delivers it. Notifications are never
// returned as data (see SetNotificationHandler). It does not allocate.
func (c *Conn) Read(b []byte) (int, error) {
	if !c.ok() {
		return 0, syscall.EINVAL
	}
	if len(b) == 0 {
		return 0, c.emptyIOErr("read")
	}
	n, _, _, err := c.recv(b, false)
	return n, err
}

// Write sends b as one SCTP message on stream 0 with PPID 0 (or what
// SCTP_DEFAULT_SNDINFO says, if set through SyscallConn). An empty b sends
// nothing: SCTP has no empty messages (the kernel answers EINVAL). It does
// not allocate.
func (c *Conn) Write(b []byte) (int, error) {
	return c.send(b, nil)
}

// Close closes the association gracefully (SCTP SHUTDOWN) and unblocks
// pending reads and writes, which return net.ErrClosed.
func (c *Conn) Close() error {
	if !c.ok() {
		return syscall.EINVAL
	}
	if c.closed.Swap(true) {
		return c.opError("close", net.ErrClosed)
	}
	if c.guardedPort {
		// Before the close: once it completes the port is free again.
		endedPorts.add(int(c.lseed.Port()), c.rport, monoNow())
	}
	if err := c.f.Close(); err != nil {
		return c.opError("close", err)
	}
	return nil
}

// CloseWrite starts a graceful SCTP shutdown with shutdown(2) SHUT_WR:
// the kernel sends what is queued, then SHUTDOWN. SCTP has no half-closed
// state (RFC 9260 section 9.2): the peer may no longer send new data
// either, and once the shutdown completes Read returns io.EOF after the
// data already received.
//
// The kernel itself never reports that end to the side that sent the
// SHUTDOWN: its recvmsg returns 0 only after receiving one (RCV_SHUTDOWN,
// sctp_cmd_new_state), and poll stays silent once the association is
// gone. So CloseWrite also subscribes the association to SCTP_ASSOC_CHANGE,
// whose SHUTDOWN_COMP notification wakes a waiting Read, and Read turns
// "nothing to read, association gone" into io.EOF. The handler of
// SetNotificationHandler only sees AssocChange if it asked for it.
func (c *Conn) CloseWrite() error {
	if !c.ok() {
		return syscall.EINVAL
	}
	c.notifyMu.Lock()
	defer c.notifyMu.Unlock()
	c.wrShut.Store(true)
	return c.control("close", func(fd int) error {
		if err := subscribe(fd, c.assoc, c.subscribed()); err != nil {
			return err
		}
		return os.NewSyscallError("shutdown", unix.Shutdown(fd, unix.SHUT_WR))
	})
}

// CloseRead shuts down the reading side with shutdown(2) SHUT_RD: pending
// and later Reads return io.EOF (sctp_poll reports EPOLLRDHUP). Nothing
// is sent to the peer; data it still sends is acknowledged and dropped.
func (c *Conn) CloseRead() error {
	return c.control("close", func(fd int) error {
		return os.NewSyscallError("shutdown", unix.Shutdown(fd, unix.SHUT_RD))
	})
}

// File returns a copy of the socket as an *os.File, as net.TCPConn.File
// does: a duplicate descriptor (F_DUPFD_CLOEXEC) that the caller must
// close, independent of c's Close. The duplicate shares the socket and its
// file status flags: it stays non-blocking, so the returned File is served
// by the runtime poller too.
func (c *Conn) File() (*os.File, error) {
	var nfd int
	err := c.control("file", func(fd int) (err error) {
		nfd, err = dupFD(fd)
		return err
	})
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(nfd), "sctp"), nil
}

// control runs f on the descriptor, failing with EINVAL on a Conn not
// made by this package and with net.ErrClosed once c is closed, and wraps
// f's error as package net does.
func (c *Conn) control(op string, f func(fd int) error) error {
	if !c.ok() {
		return syscall.EINVAL
	}
	if c.closed.Load() {
		return c.opError(op, net.ErrClosed)
	}
	var err error
	if cerr := c.rc.Control(func(fd uintptr) { err = f(int(fd)) }); cerr != nil {
		return c.opError(op, cerr)
	}
	if err != nil {
		return c.opError(op, err)
	}
	return nil
}

// controlGet reads one of the association's options with get, as control
// runs it.
func controlGet[T any](c *Conn, get func(fd int, assoc int32) (T, error)) (T, error) {
	var v T
	err := c.control("get", func(fd int) (err error) {
		v, err = get(fd, c.assoc)
		return err
	})
	return v, err
}

// SetDeadline sets the read and write deadlines, as net.Conn documents.
func (c *Conn) SetDeadline(t time.Time) error {
	if !c.ok() {
		return syscall.EINVAL
	}
	return c.deadlineErr(c.f.SetDeadline(t))
}

// SetReadDeadline sets the deadline for Read calls.
func (c *Conn) SetReadDeadline(t time.Time) error {
	if !c.ok() {
		return syscall.EINVAL
	}
	return c.deadlineErr(c.f.SetReadDeadline(t))
}

// SetWriteDeadline sets the deadline for Write calls.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	if !c.ok() {
		return syscall.EINVAL
	}
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
	if !c.ok() {
		return nil, syscall.EINVAL
	}
	if c.closed.Load() {
		return nil, c.opError("raw-control", net.ErrClosed)
	}
	return rawConn{c}, nil
}

// AssocID returns the association id the kernel assigned (sctp_assoc_t),
// or 0 for a Conn not made by this package.
func (c *Conn) AssocID() int32 {
	if !c.ok() {
		return 0
	}
	return c.assoc
}

// opError wraps err as package net does: *net.OpError around
// *os.SyscallError for errnos (a bare errno gets op as its syscall name,
// an *os.SyscallError stays as it is), net.ErrClosed for a closed Conn,
// and os.ErrDeadlineExceeded (Timeout() true) for deadlines.
func (c *Conn) opError(op string, err error) error {
	if errno, ok := err.(syscall.Errno); ok {
		err = os.NewSyscallError(op, errno)
	}
	if c.closed.Load() && !errors.Is(err, os.ErrDeadlineExceeded) {
		// os.File reports "use of closed file", which is not net.ErrClosed.
		err = net.ErrClosed
	}
	oe := &net.OpError{Op: op, Net: c.net, Err: err}
	if a := c.knownLocal(); len(a.IPAddrs) > 0 {
		oe.Source = a
	}
	if a := c.knownRemote(); len(a.IPAddrs) > 0 {
		oe.Addr = a
	}
	return oe
}
