package sctpdial

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/ishidawataru/sctp"
	"golang.org/x/sys/unix"
)

// Listener is an SCTP listener on a one-to-one (SOCK_STREAM) socket,
// served by Go's runtime network poller: Accept honours SetDeadline and
// Close unblocks it. It implements net.Listener and syscall.Conn.
type Listener struct {
	f      *os.File
	rc     syscall.RawConn
	net    string
	addr   atomic.Pointer[sctp.SCTPAddr]
	closed atomic.Bool

	addrChanges bool // ListenConfig.AddressChanges
}

var (
	_ net.Listener = (*Listener)(nil)
	_ syscall.Conn = (*Listener)(nil)
)

// listenSCTP opens one non-blocking socket, applies the options and the
// Control hook, binds every address and listens. On error it closes what
// it opened.
func (lc *ListenConfig) listenSCTP(p *listenPlan) (_ *Listener, err error) {
	family := unix.AF_INET
	if p.family6 {
		family = unix.AF_INET6
	}
	f, rc, err := newSocketFile(family)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()

	var serr error
	if cerr := rc.Control(func(fd uintptr) { serr = lc.sockopts(int(fd), p) }); cerr != nil {
		return nil, cerr
	}
	if serr != nil {
		return nil, serr
	}
	if lc.Control != nil {
		if err := lc.Control(hookNetwork(family), joinAddrs(p.addrs, p.port), rc); err != nil {
			return nil, err
		}
	}
	if cerr := rc.Control(func(fd uintptr) { serr = bindAll(int(fd), p) }); cerr != nil {
		return nil, cerr
	}
	if serr != nil {
		return nil, serr
	}
	backlog := listenBacklog(lc.Backlog)
	if cerr := rc.Control(func(fd uintptr) { serr = unix.Listen(int(fd), backlog) }); cerr != nil {
		return nil, cerr
	}
	if serr != nil {
		return nil, os.NewSyscallError("listen", serr)
	}

	l := &Listener{f: f, rc: rc, net: p.network, addrChanges: lc.AddressChanges}
	l.addr.Store(p.sctpAddr())
	l.refreshAddr()
	return l, nil
}

// sockopts sets what accepted associations inherit from the listening
// endpoint, before the Control hook so that it may change them.
func (lc *ListenConfig) sockopts(fd int, p *listenPlan) error {
	// As package net does for every listener: a restarted server can bind
	// its port while associations of the previous one linger.
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	if lc.AddressChanges {
		if err := enableAddressChanges(fd); err != nil {
			return err
		}
	}
	// Accepted associations inherit the subscription (sctp_copy_descendant
	// copies it): see AcceptSCTP.
	if err := subscribe(fd, 0, EventAssocChange); err != nil {
		return err
	}
	return endpointOptions{
		failover:   &lc.Failover,
		family6:    p.family6,
		v6only:     p.v6only,
		initMsg:    lc.InitMsg,
		keepAlive:  lc.KeepAlive,
		rto:        lc.RTO,
		pathParams: lc.PathParams,
		sack:       lc.DelayedSACK,
		rcvbuf:     lc.ReadBuffer,
		sndbuf:     lc.WriteBuffer,
	}.apply(fd)
}

// bindAll binds the first address with bind(2), which picks the port when
// p.port is 0, then adds the others with sctp_bindx(SCTP_BINDX_ADD_ADDR) on
// the port actually bound: an SCTP endpoint has a single port.
func bindAll(fd int, p *listenPlan) error {
	first := p.addrs[0]
	var sa unix.Sockaddr
	if first.Is4() {
		sa = &unix.SockaddrInet4{Port: p.port, Addr: first.As4()}
	} else {
		scope, err := zoneIndex(first.Zone())
		if err != nil {
			return err
		}
		sa = &unix.SockaddrInet6{Port: p.port, Addr: first.As16(), ZoneId: scope}
	}
	if err := unix.Bind(fd, sa); err != nil {
		return os.NewSyscallError("bind", err)
	}
	if len(p.addrs) == 1 {
		return nil
	}
	port := p.port
	if port == 0 {
		bound, err := unix.Getsockname(fd)
		if err != nil {
			return os.NewSyscallError("getsockname", err)
		}
		switch sa := bound.(type) {
		case *unix.SockaddrInet4:
			port = sa.Port
		case *unix.SockaddrInet6:
			port = sa.Port
		}
	}
	buf, err := packSockaddrs(p.addrs[1:], port)
	if err != nil {
		return err
	}
	if _, err := setsockopt(fd, solSCTP, sctpSockoptBindxAdd, buf); err != nil {
		return os.NewSyscallError("sctp_bindx", err)
	}
	return nil
}

// refreshAddr re-reads the endpoint's bound addresses; on failure (a
// closed socket) the last known ones stay.
func (l *Listener) refreshAddr() {
	l.rc.Control(func(fd uintptr) {
		// Association id 0 names the endpoint: its whole bound set, every
		// local address for a wildcard listener.
		if a, err := getAddrs(int(fd), sctpGetLocalAddrs, 0); err == nil && len(a.IPAddrs) > 0 {
			l.addr.Store(a)
		}
	})
}

// Addr returns every address the listener is bound to, with the port the
// kernel chose if it was asked for port 0, as a *sctp.SCTPAddr
// (SCTP_GET_LOCAL_ADDRS on the endpoint). On an AF_INET6 socket IPv4
// addresses are reported in their IPv4-mapped form, which net.IP prints
// and compares as IPv4. After Close it returns the last addresses read;
// for a Listener not made by this package, nil.
func (l *Listener) Addr() net.Addr {
	if !l.ok() {
		return nil
	}
	if !l.closed.Load() {
		l.refreshAddr()
	}
	if a := l.addr.Load(); a != nil {
		return a
	}
	return nil
}

// Accept waits for and returns the next association, a *Conn.
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.AcceptSCTP()
	if err != nil {
		return nil, err
	}
	return c, nil
}

// AcceptSCTP waits for and returns the next association. Its LocalAddr and
// RemoteAddr list every address of the association, and SCTP_NODELAY is on,
// as for dialed associations.
//
// An association can be returned after it ended (the peer aborted or shut
// down while it waited in the queue): its Read reports the end.
//
// Every accepted association is subscribed to SCTP_ASSOC_CHANGE (the
// listening socket is, and accepted sockets inherit it), which the Conn
// reads and drops unless a handler asked for it. A shutdown the peer began
// while the association was queued marks the end of reading on the
// listening socket, not on the accepted one, and when it completes after
// Accept the kernel frees the association without waking the accepted
// socket (sctp_cmd_new_state, sctp_poll): only the SHUTDOWN_COMP
// notification tells a waiting Read, which then returns io.EOF, as TCP's
// does for a connection closed while it was queued. Close such
// a Conn promptly: until it is closed the kernel keeps the ended
// association in its lookup table, and drops a new handshake from the same
// peer address and port (see docs/design.md, "Local ports").
func (l *Listener) AcceptSCTP() (*Conn, error) {
	if !l.ok() {
		return nil, syscall.EINVAL
	}
	var nfd int
	var errno error
	var peer unix.RawSockaddrAny
	err := l.rc.Read(func(fd uintptr) bool {
		for {
			nfd, errno = accept4(int(fd), &peer)
			switch errno {
			case unix.EINTR:
				// A signal (the runtime's preemption signal among them)
				// interrupted the call; retry as internal/poll does.
				continue
			case unix.ECONNABORTED:
				// The association went away while queued (an ABORT from the
				// peer): not the listener's failure; take the next one, as
				// package net does.
				continue
			}
			return errno != unix.EAGAIN
		}
	})
	if err == nil && errno != nil {
		err = os.NewSyscallError("accept4", errno)
	}
	if err != nil {
		return nil, l.opError("accept", err)
	}

	// The association id makes LocalAddr list the association's addresses
	// (id 0 would give the endpoint's whole bound set). Failures leave 0:
	// an association that is already gone reports itself on first use.
	var assoc int32
	if s, err := getStatus(nfd); err == nil {
		assoc = s.AssocID
	}
	// SCTP_NODELAY needs no call here: the listening socket has it
	// (endpointOptions) and sctp_sock_migrate copies it to the new socket
	// (sctp_copy_descendant), as package net's accepted TCP conns have it.
	// The peer address accept4 returned and the local one getsockname
	// reports seed RemoteAddr and LocalAddr, which then stay set even when
	// the association is already gone (the dialer closed or aborted).
	local := sockname(nfd)
	c, err := newConn(nfd, l.net, assoc)
	if err != nil {
		return nil, l.opError("accept", err)
	}
	c.addrChanges.Store(l.addrChanges)
	c.accepted = true
	c.lseed = local
	if ap := rawAddrPort(&peer); ap.IsValid() {
		c.rseed, c.rport = []netip.Addr{ap.Addr()}, int(ap.Port())
	}
	return c, nil
}

// accept4 is accept4(2) with SOCK_NONBLOCK|SOCK_CLOEXEC, writing the
// peer's address into peer without allocating (unix.Accept4 allocates a
// unix.Sockaddr).
func accept4(fd int, peer *unix.RawSockaddrAny) (int, error) {
	n := uint32(unix.SizeofSockaddrAny)
	nfd, _, e := unix.Syscall6(unix.SYS_ACCEPT4, uintptr(fd), uintptr(unsafe.Pointer(peer)),
		uintptr(unsafe.Pointer(&n)), unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(nfd), nil
}

// Close stops listening and unblocks a pending Accept, which returns an
// error wrapping net.ErrClosed. The kernel ends the associations still in
// the accept queue as it ends any on close (sctp_close): gracefully with
// SHUTDOWN, but every one of them with ABORT if any received data that was
// never read, or if SO_LINGER is on with a zero timeout.
func (l *Listener) Close() error {
	if !l.ok() {
		return syscall.EINVAL
	}
	if l.closed.Swap(true) {
		return l.opError("close", net.ErrClosed)
	}
	if err := l.f.Close(); err != nil {
		return l.opError("close", err)
	}
	return nil
}

// SetDeadline sets the deadline for Accept. A zero t means no deadline; a
// pending or later Accept past t fails with an error wrapping
// os.ErrDeadlineExceeded whose Timeout method reports true.
func (l *Listener) SetDeadline(t time.Time) error {
	if !l.ok() {
		return syscall.EINVAL
	}
	if err := l.f.SetDeadline(t); err != nil {
		return l.opError("set", err)
	}
	return nil
}

// SyscallConn returns the raw connection, for socket options this package
// does not wrap.
func (l *Listener) SyscallConn() (syscall.RawConn, error) {
	if !l.ok() {
		return nil, syscall.EINVAL
	}
	if l.closed.Load() {
		return nil, l.opError("raw-control", net.ErrClosed)
	}
	return l.rc, nil
}

// File returns a copy of the listening socket (F_DUPFD_CLOEXEC), as
// net.TCPListener.File does: closing either does not affect the other. The
// copy shares the socket's non-blocking mode.
func (l *Listener) File() (*os.File, error) {
	if !l.ok() {
		return nil, syscall.EINVAL
	}
	var nfd int
	var derr error
	if err := l.rc.Control(func(fd uintptr) { nfd, derr = dupFD(int(fd)) }); err != nil {
		return nil, l.opError("file", err)
	}
	if derr != nil {
		return nil, l.opError("file", derr)
	}
	return os.NewFile(uintptr(nfd), "sctp-listener"), nil
}

// ok reports whether l came from this package: a nil or zero Listener has
// no socket, and its methods fail with EINVAL as package net's do.
func (l *Listener) ok() bool { return l != nil && l.f != nil && l.rc != nil }

// opError wraps err as package net does for listeners: *net.OpError with
// the listener's address, net.ErrClosed once closed (os.File reports "use
// of closed file", which is not net.ErrClosed), os.ErrDeadlineExceeded for
// deadlines.
func (l *Listener) opError(op string, err error) error {
	if l.closed.Load() && !errors.Is(err, os.ErrDeadlineExceeded) {
		err = net.ErrClosed
	}
	oe := &net.OpError{Op: op, Net: l.net, Err: err}
	if a := l.addr.Load(); a != nil {
		oe.Addr = a
	}
	return oe
}
