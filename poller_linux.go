package sctpdial

import (
	"context"
	"encoding/binary"
	"errors"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/ishidawataru/sctp"
	"golang.org/x/sys/unix"
)

// aLongTimeAgo is a write deadline in the past: setting it makes the
// poller give up waiting at once (as package net does for cancellation).
var aLongTimeAgo = time.Unix(1, 0)

// oldConnectx records, once per process, that the kernel lacks
// SCTP_SOCKOPT_CONNECTX3 (before Linux 2.6.35), so that later dials go
// straight to SCTP_SOCKOPT_CONNECTX as lksctp-tools' sctp_connectx does.
var oldConnectx atomic.Bool

// family is AF_INET when every address is IPv4, else AF_INET6 (which
// carries IPv4 peers too once IPV6_V6ONLY is off).
func (p *dialPlan) family() int {
	for _, a := range p.raddrs {
		if !a.Is4() {
			return unix.AF_INET6
		}
	}
	if p.laddr != nil {
		for _, ip := range p.laddr.IPAddrs {
			if ip.IP.To4() == nil {
				return unix.AF_INET6
			}
		}
	}
	return unix.AF_INET
}

// dialSCTP opens one non-blocking socket, applies the options and hooks,
// binds and starts one sctp_connectx with every address, all on the bare
// descriptor. Over loopback the association is nearly always up when
// connectx returns: that is checked at once, and only a dial still in
// progress registers its deadline and cancellation and waits on the runtime
// poller. Every descriptor it opens is closed on error. ctx carries the
// folded deadline.
func (d *Dialer) dialSCTP(ctx context.Context, p *dialPlan) (*Conn, error) {
	for retry := 0; ; retry++ {
		c, err := d.dialOnce(ctx, p)
		if err != errSelfConnect {
			return c, err
		}
		// The kernel picked the destination port as the local one and the
		// INIT met itself (a simultaneous open with its own endpoint): like
		// package net's dialTCP (Go issue 2690), dial again, a few times,
		// with a new ephemeral port. Nobody was listening, so after that
		// the dial is refused.
		if retry == selfConnectRetries {
			return nil, os.NewSyscallError("sctp_connectx", unix.ECONNREFUSED)
		}
	}
}

// selfConnectRetries is how many times a self-connected dial is retried
// (package net's dialTCP retries twice).
const selfConnectRetries = 2

// errSelfConnect is dialOnce's report that the association it made is a
// self-connect; it never reaches the caller.
var errSelfConnect = errors.New("sctpdial: self-connect")

// dialOnce is one attempt of dialSCTP.
func (d *Dialer) dialOnce(ctx context.Context, p *dialPlan) (*Conn, error) {
	fd, err := d.dialSocket(ctx, p.family(), p)
	if err != nil {
		return nil, err
	}
	assoc, up, err := startConnect(fd, p)
	if err != nil {
		// Nothing was sent, or connectx failed at once: no association.
		unix.Close(fd)
		return nil, err
	}
	if up {
		// As package net's connect: a dial cancelled while connectx ran
		// reports the context's error, even though the association is up
		// (which the abort then ends).
		if err := ctx.Err(); err != nil {
			p.abortFD(fd, err)
			return nil, mapCtxErr(err)
		}
		return d.connected(fd, p, assoc)
	}
	if h := testHookWaiting.Load(); h != nil {
		defer (*h)(fd)()
	}
	// Registering only now loses no wake-up: epoll_ctl(EPOLL_CTL_ADD)
	// polls the socket and reports what is already ready (ep_insert).
	f, rc, err := wrapFD(fd, true)
	if err != nil {
		return nil, err
	}
	return d.waited(ctx, f, rc, p, assoc)
}

// testHookWaiting, when a test sets it, is told of every dial that waits
// on the poller; the function it returns is called when the dial returns.
var testHookWaiting atomic.Pointer[func(fd int) func()]

// waited finishes a dial that had to wait: once the association is up it
// is checked like one that was up at once.
func (d *Dialer) waited(ctx context.Context, f *os.File, rc syscall.RawConn, p *dialPlan, assoc int32) (*Conn, error) {
	if err := waitConnected(ctx, f, rc); err != nil {
		p.abandon(f, rc, err)
		return nil, err
	}
	var c *Conn
	var err error
	if cerr := rc.Control(func(fd uintptr) {
		c, err = d.established(int(fd), p, assoc)
	}); cerr != nil {
		err = cerr
	}
	if err != nil {
		p.abandon(f, rc, err)
		return nil, err
	}
	c.f, c.rc = f, rc
	return c, nil
}

// connected finishes a dial whose association was up when connectx
// returned: no deadline, cancellation or wait was set up for it.
func (d *Dialer) connected(fd int, p *dialPlan, assoc int32) (*Conn, error) {
	c, err := d.established(fd, p, assoc)
	if err != nil {
		p.abortFD(fd, err)
		return nil, err
	}
	f, rc, err := wrapFD(fd, true)
	if err != nil {
		return nil, err
	}
	c.f, c.rc = f, rc
	return c, nil
}

// established checks the new association and makes its Conn, without the
// socket yet: it restores a paced initial RTO, reads the local address the
// kernel chose (getsockname: the seed of LocalAddr) and turns a
// self-connect into errSelfConnect.
func (d *Dialer) established(fd int, p *dialPlan, assoc int32) (*Conn, error) {
	if err := p.pace.restore(fd, assoc); err != nil {
		return nil, err
	}
	local := sockname(fd)
	if p.kernelPort() && int(local.Port()) == p.port && isSelfConnect(fd, assoc) {
		return nil, errSelfConnect
	}
	return &Conn{net: p.network, assoc: assoc, lseed: local, rseed: p.raddrs, rport: p.port, guardedPort: p.guardsPort()}, nil
}

// startConnect calls sctp_connectx on the prepared socket (dialSocket).
// up reports that the association is already established, so the dial
// need not wait.
func startConnect(fd int, p *dialPlan) (assoc int32, up bool, err error) {
	addrs, err := packSockaddrs(p.raddrs, p.port)
	if err != nil {
		return 0, false, err
	}
	assoc, err = connectx(fd, addrs)
	switch err {
	case unix.EINPROGRESS, unix.EALREADY, unix.EINTR:
		// A non-blocking connect answers EINPROGRESS (__sctp_connect skips
		// sctp_wait_for_connect with O_NONBLOCK), but over loopback the
		// whole handshake has usually run by the time it returns.
		return assoc, isEstablished(fd), nil
	case nil, unix.EISCONN:
		return assoc, true, nil
	}
	return 0, false, os.NewSyscallError("sctp_connectx", err)
}

// waitConnected waits on the runtime poller until the association that
// connectx started is up or has failed, the deadline in ctx passes or ctx
// is cancelled. Cancellation works as in package net's connect: a
// context.AfterFunc sets a write deadline in the past, which wakes the
// waiting goroutine.
func waitConnected(ctx context.Context, f *os.File, rc syscall.RawConn) (err error) {
	if deadline, ok := ctx.Deadline(); ok {
		if err := f.SetWriteDeadline(deadline); err != nil {
			return err
		}
	}
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() {
			// Make the poller give up waiting for writability now.
			f.SetWriteDeadline(aLongTimeAgo)
		})
		defer func() {
			if !stop() && err == nil {
				// Cancellation fired after the connect succeeded but the
				// descriptor is poisoned with a past deadline: report the
				// context's error, as package net does (Go issue 16523);
				// the caller then aborts the association.
				err = mapCtxErr(ctx.Err())
			}
		}()
	}

	var cerr error
	werr := rc.Write(func(fd uintptr) bool {
		var done bool
		done, cerr = connectDone(int(fd))
		return done
	})
	switch {
	case werr != nil:
		if cerr := ctx.Err(); cerr != nil {
			return mapCtxErr(cerr)
		}
		if errors.Is(werr, os.ErrDeadlineExceeded) {
			return errTimeout
		}
		return werr
	case cerr != nil:
		return cerr
	}
	return f.SetWriteDeadline(time.Time{})
}

// connectDone is the poller callback of waitConnected: done is false to
// keep waiting; err is the dial's failure.
func connectDone(fd int) (done bool, err error) {
	if isEstablished(fd) {
		return true, nil
	}
	// Not up yet. Only a hard error (sk_err) ends the attempt, and only
	// that makes sctp_poll report POLLERR. SO_ERROR alone cannot tell: it
	// reads 0 on a spurious wakeup (Go issues 14548, 19289) and falls back
	// to sk_err_soft, where an ICMP error about one path lingers while the
	// INIT goes on to the other addresses (sock_getsockopt,
	// sctp_v4_err_handle). A Control hook that sets IP_RECVERR makes such
	// ICMP errors hard ones, ending the dial.
	if !pollErr(fd) {
		return false, nil
	}
	// Once the poller reported the error, SO_ERROR holds the outcome;
	// another connect call would not (Go issue 7474).
	soerr, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		return true, os.NewSyscallError("getsockopt", err)
	}
	switch e := syscall.Errno(soerr); e {
	case 0, unix.EINPROGRESS, unix.EALREADY, unix.EINTR:
		return false, nil
	case unix.EISCONN:
		return true, nil
	default:
		return true, os.NewSyscallError("sctp_connectx", e)
	}
}

// isEstablished reports whether the socket's association is up:
// getpeername succeeds only once it is ESTABLISHED (inet_getname answers
// ENOTCONN before). It is the bare system call because unix.Getpeername
// also reads SO_PROTOCOL (its L2TP check) and allocates the address.
func isEstablished(fd int) bool {
	var rsa unix.RawSockaddrAny
	n := uint32(unix.SizeofSockaddrAny)
	_, _, e := unix.RawSyscall(unix.SYS_GETPEERNAME, uintptr(fd), uintptr(unsafe.Pointer(&rsa)), uintptr(unsafe.Pointer(&n)))
	return e == 0
}

// sockname is getsockname(2) as a netip.AddrPort, without allocating; the
// zero AddrPort on failure.
func sockname(fd int) netip.AddrPort {
	var rsa unix.RawSockaddrAny
	n := uint32(unix.SizeofSockaddrAny)
	_, _, e := unix.RawSyscall(unix.SYS_GETSOCKNAME, uintptr(fd), uintptr(unsafe.Pointer(&rsa)), uintptr(unsafe.Pointer(&n)))
	if e != 0 {
		return netip.AddrPort{}
	}
	return rawAddrPort(&rsa)
}

// abandon closes the socket of a dial that gave up after connectx with
// err: see abortFD.
func (p *dialPlan) abandon(f *os.File, rc syscall.RawConn, err error) {
	rc.Control(func(fd uintptr) {
		p.noteEnded(int(fd), err)
		abortWhenClosed(int(fd))
	})
	f.Close()
}

// abortFD closes a bare descriptor whose connectx ran, aborting the
// association the dial started, which is ending with err.
func (p *dialPlan) abortFD(fd int, err error) {
	p.noteEnded(fd, err)
	abortWhenClosed(fd)
	unix.Close(fd)
}

// abortWhenClosed sets SO_LINGER 0, which makes close send an ABORT for the
// association connectx started (and nothing once it is gone: refused or
// timed out). A plain close would end a handshake in progress without a
// word to the peer (sctp_sf_cookie_wait_prm_shutdown, also in
// COOKIE_ECHOED), and once the COOKIE-ECHO went out the peer holds an
// association for the address pair: it would stay half-open until the
// peer's first heartbeat or data met the closed port. Which of the two
// states the handshake is in cannot be told apart first: SCTP_STATUS
// answers EINVAL on a one-to-one socket until the association is
// ESTABLISHED (sctp_id2assoc), and an INIT-ACK can arrive between any
// such read and the close. In COOKIE_WAIT the ABORT is one packet the
// peer discards.
func abortWhenClosed(fd int) {
	unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
}

// pollErr reports whether poll(2) sees POLLERR on fd now, without waiting.
func pollErr(fd int) bool {
	pfd := []unix.PollFd{{Fd: int32(fd)}} // POLLERR is always reported
	for {
		n, err := unix.Poll(pfd, 0)
		if err == unix.EINTR {
			continue
		}
		return err == nil && n > 0 && pfd[0].Revents&unix.POLLERR != 0
	}
}

// setupSocket applies the Dialer's options, runs the control hooks and
// binds the local addresses, in that order, so hooks see the options and
// may still change them before bind and connect. The socket is not on the
// runtime poller yet: hooks get a syscall.RawConn of the bare descriptor,
// whose Read and Write cannot wait, as with package net's hooks.
func (d *Dialer) setupSocket(ctx context.Context, fd, family int, p *dialPlan) error {
	if err := d.sockopts(fd, family, strings.HasSuffix(p.network, "6")); err != nil {
		return err
	}
	if err := p.pace.apply(fd); err != nil {
		return err
	}
	if d.ControlContext != nil || d.Control != nil {
		hookNet := hookNetwork(family)
		address := joinAddrs(p.raddrs, p.port)
		rc := fdRawConn(fd)
		var err error
		if d.ControlContext != nil {
			err = d.ControlContext(ctx, hookNet, address, rc)
		} else {
			err = d.Control(hookNet, address, rc)
		}
		if err != nil {
			return err
		}
		if err := p.pace.keepHookChoice(fd); err != nil {
			return err
		}
		if p.laddr == nil {
			p.hookBound = sockname(fd).Port() != 0
		}
	}
	if p.laddr != nil {
		return bindLocal(fd, family, p.laddr)
	}
	return nil
}

// sockopts sets what must be in place before the INIT is sent.
func (d *Dialer) sockopts(fd, family int, v6only bool) error {
	// For "sctp6" the socket is IPv6-only: the kernel then also ignores
	// the IPv4 addresses a peer lists in its INIT-ACK (sctp_process_param),
	// so the association stays IPv6-only, as "tcp6" does.
	keepAlive, heartbeatOn, maxRetrans := d.heartbeat()
	pathParams := d.PathParams
	if pathParams.PathMaxRetrans == 0 {
		pathParams.PathMaxRetrans = maxRetrans
	}
	if d.AddressChanges {
		if err := enableAddressChanges(fd); err != nil {
			return err
		}
	}
	return endpointOptions{
		failover:    &d.Failover,
		family6:     family == unix.AF_INET6,
		v6only:      v6only,
		initMsg:     d.InitMsg,
		keepAlive:   keepAlive,
		heartbeatOn: heartbeatOn,
		rto:         d.RTO,
		pathParams:  pathParams,
		sack:        d.DelayedSACK,
		rcvbuf:      d.ReadBuffer,
		sndbuf:      d.WriteBuffer,
	}.apply(fd)
}

// endpointOptions are the options dialing and listening sockets share.
type endpointOptions struct {
	failover  *Failover // nil or zero: none; applied last, so it wins
	family6   bool
	v6only    bool
	initMsg   sctp.InitMsg
	keepAlive time.Duration
	// heartbeatOn switches heartbeats on even when keepAlive is 0 (the
	// kernel's interval).
	heartbeatOn bool
	rto         RTOInfo
	pathParams  PathParams
	sack        DelayedSACK
	// rcvbuf 0 asks for DefaultReadBuffer, negative keeps the kernel's;
	// sndbuf 0 or negative keeps the kernel's.
	rcvbuf, sndbuf int
}

func (o endpointOptions) apply(fd int) error {
	if o.family6 {
		// Set explicitly: the system default (net.ipv6.bindv6only) must
		// not decide whether IPv4 addresses, which travel as sockaddr_in
		// on an AF_INET6 socket, can be used.
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, boolInt(o.v6only)); err != nil {
			return os.NewSyscallError("setsockopt", err)
		}
	}
	// Like TCP connections in Go, SCTP ones send without Nagle-style
	// bundling delays by default; accepted associations inherit it.
	if err := unix.SetsockoptInt(fd, solSCTP, sctpNoDelay, 1); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	if err := setBuffers(fd, readBufferSize(o.rcvbuf), writeBufferSize(o.sndbuf)); err != nil {
		return err
	}
	if err := setDelayedSACK(fd, 0, o.sack); err != nil {
		return err
	}
	if o.initMsg != (sctp.InitMsg{}) {
		if err := setInitMsg(fd, o.initMsg); err != nil {
			return err
		}
	}
	// Association id 0 sets the endpoint's defaults for what follows.
	rto := o.rto
	if o.failover != nil {
		rto = mergeRTO(rto, o.failover.RTO)
	}
	if rto != (RTOInfo{}) {
		if err := setRTOInfo(fd, 0, rto); err != nil {
			return err
		}
	}
	if o.pathParams != (PathParams{}) {
		if err := setPathParams(fd, 0, o.pathParams); err != nil {
			return err
		}
	}
	if o.keepAlive != 0 || o.heartbeatOn {
		// Association id 0 sets the endpoint's defaults, which
		// sctp_association_init copies into every new association.
		if err := setPaddrParams(fd, heartbeatParams(0, o.keepAlive)); err != nil {
			return err
		}
	}
	if o.failover != nil {
		if err := o.failover.apply(fd, 0, false); err != nil {
			return err
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// setInitMsg sets SCTP_INITMSG (struct sctp_initmsg: four __u16). Zero
// fields leave the kernel's values (sctp_setsockopt_initmsg).
func setInitMsg(fd int, m sctp.InitMsg) error {
	var b [8]byte
	binary.NativeEndian.PutUint16(b[0:], m.NumOstreams)
	binary.NativeEndian.PutUint16(b[2:], m.MaxInstreams)
	binary.NativeEndian.PutUint16(b[4:], m.MaxAttempts)
	binary.NativeEndian.PutUint16(b[6:], m.MaxInitTimeout)
	if _, err := setsockopt(fd, solSCTP, sctpInitMsg, b[:]); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	return nil
}

// bindLocal binds the Dialer's local addresses: all of them with
// sctp_bindx(SCTP_BINDX_ADD_ADDR), or the wildcard when only a port is
// given.
func bindLocal(fd, family int, la *sctp.SCTPAddr) error {
	if len(la.IPAddrs) == 0 {
		if err := bindWildcard(fd, family, la.Port); err != nil {
			return os.NewSyscallError("bind", err)
		}
		return nil
	}
	addrs := make([]netip.Addr, 0, len(la.IPAddrs))
	for _, ip := range la.IPAddrs {
		a, _ := netip.AddrFromSlice(ip.IP) // checked by checkLocalAddr
		addrs = append(addrs, a.Unmap().WithZone(ip.Zone))
	}
	buf, err := packSockaddrs(addrs, la.Port)
	if err != nil {
		return err
	}
	if _, err := setsockopt(fd, solSCTP, sctpSockoptBindxAdd, buf); err != nil {
		return os.NewSyscallError("sctp_bindx", err)
	}
	return nil
}

// getaddrsOld is struct sctp_getaddrs_old, the argument of
// SCTP_SOCKOPT_CONNECTX3: addrNum is the byte length of the packed
// addresses, and the kernel writes the association id back.
type getaddrsOld struct {
	assoc   int32
	addrNum int32
	addrs   unsafe.Pointer
}

// connectx is sctp_connectx(3): one call with every address. It returns
// the association id (also with EINPROGRESS, which is the normal outcome on
// a non-blocking socket).
func connectx(fd int, addrs []byte) (int32, error) {
	if !oldConnectx.Load() {
		param := getaddrsOld{addrNum: int32(len(addrs)), addrs: unsafe.Pointer(&addrs[0])}
		_, err := getsockopt(fd, solSCTP, sctpSockoptConnectx3,
			unsafe.Slice((*byte)(unsafe.Pointer(&param)), unsafe.Sizeof(param)))
		runtime.KeepAlive(addrs)
		if err != unix.ENOPROTOOPT {
			return param.assoc, err
		}
		oldConnectx.Store(true)
	}
	id, err := setsockopt(fd, solSCTP, sctpSockoptConnectx, addrs)
	return int32(id), err
}
