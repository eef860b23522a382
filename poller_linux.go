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
// binds, starts one sctp_connectx with every address and waits on the
// runtime poller. It owns every descriptor it opens: on error all are
// closed. ctx carries the folded deadline.
func (d *Dialer) dialSCTP(ctx context.Context, p *dialPlan) (conn *Conn, err error) {
	family := p.family()
	f, rc, err := newSocketFile(family)
	if err != nil {
		return nil, err
	}
	connected := false
	started := false
	defer func() {
		if !connected {
			if started {
				// Abort the half-open association (ABORT instead of a
				// lingering INIT retransmission) so the peer is not left
				// holding it.
				rc.Control(func(fd uintptr) {
					unix.SetsockoptLinger(int(fd), unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
				})
			}
			f.Close()
		}
	}()

	if err := d.setupSocket(ctx, rc, family, p); err != nil {
		return nil, err
	}
	addrs, err := packSockaddrs(p.raddrs, p.port)
	if err != nil {
		return nil, err
	}

	if deadline, ok := ctx.Deadline(); ok {
		if err := f.SetWriteDeadline(deadline); err != nil {
			return nil, err
		}
	}
	stop := context.AfterFunc(ctx, func() {
		// Make the poller give up waiting for writability now.
		f.SetWriteDeadline(aLongTimeAgo)
	})
	defer func() {
		if !stop() && err == nil {
			// Cancellation fired after the connect succeeded but the
			// descriptor is poisoned with a past deadline: report the
			// context's error, as package net does (Go issue 16523), and
			// let the deferred cleanup above abort the association.
			conn, err, connected = nil, mapCtxErr(ctx.Err()), false
		}
	}()

	var assoc int32
	var cerr error
	werr := rc.Write(func(fd uintptr) bool {
		if !started {
			started = true
			assoc, cerr = connectx(int(fd), addrs)
			switch cerr {
			case unix.EINPROGRESS, unix.EALREADY, unix.EINTR:
				cerr = nil
				return false // wait for writability
			case unix.EISCONN:
				cerr = nil
			}
			return true
		}
		// getpeername succeeds only once the association is ESTABLISHED
		// (inet_getname answers ENOTCONN before), so it decides success.
		if _, err := unix.Getpeername(int(fd)); err == nil {
			return true
		}
		// Not up yet. Only a hard error (sk_err) ends the attempt, and
		// only that makes sctp_poll report POLLERR. SO_ERROR alone cannot
		// tell: it reads 0 on a spurious wakeup (Go issues 14548, 19289)
		// and falls back to sk_err_soft, where an ICMP error about one
		// path lingers while the INIT goes on to the other addresses
		// (sock_getsockopt, sctp_v4_err_handle). A Control hook that sets
		// IP_RECVERR makes such ICMP errors hard ones, ending the dial.
		if !pollErr(int(fd)) {
			return false
		}
		// Once the poller reported the error, SO_ERROR holds the outcome;
		// another connect call would not (Go issue 7474).
		soerr, err := unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_ERROR)
		if err != nil {
			cerr = os.NewSyscallError("getsockopt", err)
			return true
		}
		switch e := syscall.Errno(soerr); e {
		case 0, unix.EINPROGRESS, unix.EALREADY, unix.EINTR:
			return false
		case unix.EISCONN:
			return true
		default:
			cerr = e
			return true
		}
	})
	runtime.KeepAlive(addrs)
	switch {
	case werr != nil:
		if cerr := ctx.Err(); cerr != nil {
			return nil, mapCtxErr(cerr)
		}
		if errors.Is(werr, os.ErrDeadlineExceeded) {
			return nil, errTimeout
		}
		return nil, werr
	case cerr != nil:
		if errno, ok := cerr.(syscall.Errno); ok {
			return nil, os.NewSyscallError("sctp_connectx", errno)
		}
		return nil, cerr
	}
	if err := f.SetWriteDeadline(time.Time{}); err != nil {
		return nil, err
	}
	if err := p.pace.restore(rc, assoc); err != nil {
		return nil, err
	}
	connected = true
	return fileConn(f, rc, p.network, assoc), nil
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
// may still change them before bind and connect.
func (d *Dialer) setupSocket(ctx context.Context, rc syscall.RawConn, family int, p *dialPlan) error {
	var err error
	ctlErr := rc.Control(func(fd uintptr) {
		err = d.sockopts(int(fd), family, strings.HasSuffix(p.network, "6"))
		if err == nil {
			err = p.pace.apply(int(fd))
		}
	})
	if ctlErr != nil {
		return ctlErr
	}
	if err != nil {
		return err
	}

	if d.ControlContext != nil || d.Control != nil {
		hookNet := hookNetwork(family)
		address := joinAddrs(p.raddrs, p.port)
		if d.ControlContext != nil {
			err = d.ControlContext(ctx, hookNet, address, rc)
		} else {
			err = d.Control(hookNet, address, rc)
		}
		if err != nil {
			return err
		}
		if p.pace != nil {
			if ctlErr = rc.Control(func(fd uintptr) { err = p.pace.keepHookChoice(int(fd)) }); ctlErr != nil {
				return ctlErr
			}
			if err != nil {
				return err
			}
		}
	}

	if p.laddr != nil {
		ctlErr = rc.Control(func(fd uintptr) { err = bindLocal(int(fd), family, p.laddr) })
		if ctlErr != nil {
			return ctlErr
		}
		return err
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
		var sa unix.Sockaddr = &unix.SockaddrInet4{Port: la.Port}
		if family == unix.AF_INET6 {
			sa = &unix.SockaddrInet6{Port: la.Port}
		}
		if err := unix.Bind(fd, sa); err != nil {
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
