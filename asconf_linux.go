package sctpdial

import (
	"encoding/binary"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Kernel constants of live address changes (include/uapi/linux/sctp.h).
const (
	sctpSetPeerPrimaryAddr = 5   // SCTP_SET_PEER_PRIMARY_ADDR: struct sctp_setpeerprim
	sctpAutoASCONF         = 30  // SCTP_AUTO_ASCONF: int
	sctpSockoptBindxRem    = 101 // SCTP_SOCKOPT_BINDX_REM
)

// The sysctls that decide ASCONF where no socket option overrides them
// (sctp_endpoint_init copies addip_enable and auth_enable into every new
// endpoint; sctp_process_init and sctp_verify_ext_param refuse ASCONF
// without AUTH unless addip_noauth_enable is set).
const (
	sysctlAddIP       = "net.sctp.addip_enable"
	sysctlAuth        = "net.sctp.auth_enable"
	sysctlAddIPNoAuth = "net.sctp.addip_noauth_enable"
)

// AddLocalAddrs adds local addresses to the live association and
// announces them to the peer with ASCONF (RFC 5061 section 4.2.1):
// sctp_bindx(3) with SCTP_BINDX_ADD_ADDR on the connected socket. Each
// address must already be configured on this host; the peer sees it as a
// new path (a PeerAddrChange with AddrAdded) once it has acknowledged
// the ASCONF. The association must have negotiated ASCONF (see
// Dialer.AddressChanges); if it has not, nothing is changed and the error
// is an *AddressChangeError matching ErrNoAddressChanges. A socket bound
// to the wildcard address (a Dialer without LocalAddr IPs) cannot bind
// more: the kernel answers EINVAL, and instead announces the host's
// addresses as they come and go itself when SCTP_AUTO_ASCONF is on (see
// AddressChangeSupport).
func (c *Conn) AddLocalAddrs(ips ...net.IP) error {
	return c.changeAddrs(sctpSockoptBindxAdd, ips)
}

// RemoveLocalAddrs removes local addresses from the live association and
// tells the peer with ASCONF (RFC 5061 section 4.2.2): sctp_bindx(3) with
// SCTP_BINDX_REM_ADDR. The association keeps at least one address:
// removing the last one fails with an error matching syscall.EBUSY and
// changes nothing, as does any failure in a list (the kernel puts back
// what it had removed). Move the peer off an address first with
// SetPeerPrimary if it is the peer's primary destination. Without
// negotiated ASCONF it fails as AddLocalAddrs does.
func (c *Conn) RemoveLocalAddrs(ips ...net.IP) error {
	return c.changeAddrs(sctpSockoptBindxRem, ips)
}

// SetPeerPrimary asks the peer to send to ip, one of this side's local
// addresses of the association, as its primary path (an ASCONF with Set
// Primary Address, RFC 5061 section 4.2.4; SCTP_SET_PEER_PRIMARY_ADDR).
// The peer's kernel reports the change to its application as a
// PeerAddrChange with AddrMadePrimary. An address that is not one of the
// association's local ones fails with an error that says so and matches
// syscall.EADDRNOTAVAIL; without negotiated ASCONF it fails as
// AddLocalAddrs does.
func (c *Conn) SetPeerPrimary(ip net.IP) error {
	if !c.ok() {
		return syscall.EINVAL
	}
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return c.opError("set", &net.AddrError{Err: "invalid IP address", Addr: ip.String()})
	}
	return c.control("set", func(fd int) error {
		if err := c.checkAddressChanges(fd); err != nil {
			return err
		}
		local, err := getAddrs(fd, sctpGetLocalAddrs, c.assoc)
		if err != nil {
			return os.NewSyscallError("getsockopt", err)
		}
		// The kernel matches the address with its port
		// (sctp_assoc_lookup_laddr; measured: port 0 answers
		// EADDRNOTAVAIL), so the local port goes in too.
		var b [sizeofPrim]byte
		binary.NativeEndian.PutUint32(b[0:], uint32(c.assoc))
		if err := putSockaddrStorage(b[4:], net.IPAddr{IP: a.Unmap().AsSlice()}, local.Port); err != nil {
			return err
		}
		if _, err := setsockopt(fd, solSCTP, sctpSetPeerPrimaryAddr, b[:]); err != nil {
			if err == unix.EADDRNOTAVAIL {
				return os.NewSyscallError("setsockopt", &errnoReason{unix.EADDRNOTAVAIL,
					ip.String() + " is not a local address of this association (local: " + HostPort(local) + ")"})
			}
			return os.NewSyscallError("setsockopt", err)
		}
		return nil
	})
}

// AddressChangeSupport reads what the association negotiated for live
// address changes (SCTP_ASCONF_SUPPORTED, SCTP_AUTH_SUPPORTED and
// SCTP_AUTO_ASCONF). Kernels before Linux 5.1 lack the first two and
// answer ENOPROTOOPT.
func (c *Conn) AddressChangeSupport() (AddressChangeSupport, error) {
	var s AddressChangeSupport
	err := c.control("get", func(fd int) error {
		asconf, err := getAssocValue(fd, sctpASCONFSupportedOpt, c.assoc)
		if err != nil {
			return os.NewSyscallError("getsockopt", err)
		}
		auth, err := getAssocValue(fd, sctpAUTHSupportedOpt, c.assoc)
		if err != nil {
			return os.NewSyscallError("getsockopt", err)
		}
		auto, err := unix.GetsockoptInt(fd, solSCTP, sctpAutoASCONF)
		if err != nil {
			return os.NewSyscallError("getsockopt", err)
		}
		s = AddressChangeSupport{ASCONF: asconf != 0, AUTH: auth != 0, AutoASCONF: auto != 0}
		return nil
	})
	return s, err
}

// changeAddrs is sctp_bindx(3) on the live socket, after checking that
// the association can tell the peer.
func (c *Conn) changeAddrs(opt int, ips []net.IP) error {
	if !c.ok() {
		return syscall.EINVAL
	}
	addrs, err := bindxAddrs(ips)
	if err != nil {
		return c.opError("set", err)
	}
	err = c.control("set", func(fd int) error {
		if err := c.checkAddressChanges(fd); err != nil {
			return err
		}
		return bindx(fd, opt, addrs, c.assoc)
	})
	c.refreshAddr(sctpGetLocalAddrs, &c.laddr)
	return err
}

// AddLocalAddrs binds more addresses to the listening endpoint while it
// listens (sctp_bindx(3), SCTP_BINDX_ADD_ADDR): associations accepted
// from then on are multi-homed over them too; associations already
// accepted keep theirs (Conn.AddLocalAddrs changes those). Each address
// must be configured on this host. A listener bound to the wildcard
// address has every address already and cannot bind more.
func (l *Listener) AddLocalAddrs(ips ...net.IP) error {
	return l.changeAddrs(sctpSockoptBindxAdd, ips)
}

// RemoveLocalAddrs unbinds addresses from the listening endpoint
// (SCTP_BINDX_REM_ADDR), so that new associations no longer use them. The
// last address cannot go: that fails with an error matching
// syscall.EBUSY and changes nothing.
func (l *Listener) RemoveLocalAddrs(ips ...net.IP) error {
	return l.changeAddrs(sctpSockoptBindxRem, ips)
}

func (l *Listener) changeAddrs(opt int, ips []net.IP) error {
	if !l.ok() {
		return syscall.EINVAL
	}
	addrs, err := bindxAddrs(ips)
	if err == nil && l.closed.Load() {
		err = net.ErrClosed
	}
	if err == nil {
		if cerr := l.rc.Control(func(fd uintptr) { err = bindx(int(fd), opt, addrs, 0) }); cerr != nil {
			err = cerr
		}
		l.refreshAddr()
	}
	if err != nil {
		return l.opError("set", err)
	}
	return nil
}

// bindxAddrs checks and converts the addresses of an sctp_bindx call.
func bindxAddrs(ips []net.IP) ([]netip.Addr, error) {
	if len(ips) == 0 {
		return nil, &net.AddrError{Err: "no addresses given"}
	}
	addrs := make([]netip.Addr, 0, len(ips))
	for _, ip := range ips {
		a, ok := netip.AddrFromSlice(ip)
		if !ok {
			return nil, &net.AddrError{Err: "invalid IP address", Addr: ip.String()}
		}
		addrs = append(addrs, a.Unmap())
	}
	return addrs, nil
}

// bindx is sctp_bindx(3) on a bound socket, on the port of its local
// addresses (of assoc; 0: the endpoint's).
func bindx(fd, opt int, addrs []netip.Addr, assoc int32) error {
	local, err := getAddrs(fd, sctpGetLocalAddrs, assoc)
	if err != nil {
		return os.NewSyscallError("getsockopt", err)
	}
	buf, err := packSockaddrs(addrs, local.Port)
	if err != nil {
		return err
	}
	if _, err := setsockopt(fd, solSCTP, opt, buf); err != nil {
		switch {
		case opt == sctpSockoptBindxRem && err == unix.EBUSY:
			// sctp_bindx_rem refuses to empty the bind list and re-adds
			// what it had removed from it.
			err = &errnoReason{unix.EBUSY, "a socket keeps at least one local address (local: " + HostPort(local) + ")"}
		case err == unix.EINVAL:
			if e := familyMismatch(fd, addrs); e != nil {
				err = e
			} else if autoASCONF(fd) {
				err = &errnoReason{unix.EINVAL, "the socket is bound to the wildcard address: the kernel itself announces addresses added to or removed from the host (SCTP_AUTO_ASCONF)"}
			}
		}
		return os.NewSyscallError("sctp_bindx", err)
	}
	return nil
}

// checkAddressChanges fails with an *AddressChangeError unless the
// association negotiated ASCONF. The kernel itself would not fail:
// without ASCONF, sctp_bindx on a connected socket changes the endpoint's
// addresses and sends nothing (sctp_send_asconf_add_ip returns 0 when the
// peer is not asconf_capable).
func (c *Conn) checkAddressChanges(fd int) error {
	// On a one-to-one socket the option reports the association's
	// peer.asconf_capable, set only when both ends listed ASCONF
	// (sctp_process_ext_param) and AUTH was there unless
	// addip_noauth_enable (sctp_process_init).
	v, err := getAssocValue(fd, sctpASCONFSupportedOpt, c.assoc)
	switch {
	case err == unix.ENOPROTOOPT:
		// Before Linux 5.1 the sysctls alone decide this side; whether the
		// peer took ASCONF up cannot be read.
		if off := sysctlsOff(); len(off) > 0 {
			return &AddressChangeError{Off: off}
		}
		return nil
	case err != nil:
		return os.NewSyscallError("getsockopt", err)
	case v != 0:
		// The association has it, but the kernel also checks this
		// socket's endpoint before it sends an ASCONF
		// (sctp_send_asconf_add_ip returns 0 without sending when
		// ep->asconf_enable is off), and an accepted socket's endpoint
		// starts from the sysctl, not from the listener: measured,
		// bindx on a socket accepted by an AddressChanges listener with
		// net.sctp.addip_enable=0 sent nothing. Switch it on; on a
		// one-to-one socket this changes nothing else.
		if err := setAssocValue(fd, sctpASCONFSupportedOpt, c.assoc, 1); err != nil {
			return os.NewSyscallError("setsockopt", err)
		}
		return nil
	}
	if c.addrChanges.Load() {
		return &AddressChangeError{Peer: true}
	}
	off := sysctlsOff()
	return &AddressChangeError{Off: off, Peer: len(off) == 0}
}

// enableAddressChanges switches ASCONF and AUTH on for a socket's
// endpoint before it connects or listens, whatever the sysctls say
// (SCTP_AUTH_SUPPORTED and SCTP_ASCONF_SUPPORTED with SCTP_FUTURE_ASSOC,
// which sctp_setsockopt_asconf_supported copies into ep->asconf_enable
// and the handshake then offers), and reads both back. Kernels before
// Linux 5.1 have neither option: there the sysctls must be on.
func enableAddressChanges(fd int) error {
	for _, opt := range [...]int{sctpAUTHSupportedOpt, sctpASCONFSupportedOpt} {
		if err := setAssocValue(fd, opt, 0, 1); err != nil {
			if err == unix.ENOPROTOOPT {
				if off := sysctlsOff(); len(off) > 0 {
					return &AddressChangeError{Off: off}
				}
				return nil
			}
			return os.NewSyscallError("setsockopt", err)
		}
		v, err := getAssocValue(fd, opt, 0)
		if err != nil {
			return os.NewSyscallError("getsockopt", err)
		}
		if v != 1 {
			return os.NewSyscallError("setsockopt", &errnoReason{unix.EINVAL, "the kernel did not keep ASCONF or AUTH on"})
		}
	}
	return nil
}

// markAddressChanges records that c's endpoint offered ASCONF and, when
// the socket is bound to the wildcard address, lets the kernel announce
// host address changes itself (SCTP_AUTO_ASCONF). Other sockets answer
// EINVAL (sctp_setsockopt_auto_asconf: !sctp_is_ep_boundall), which is
// expected and ignored.
func (c *Conn) markAddressChanges() {
	c.addrChanges.Store(true)
	c.rc.Control(func(fd uintptr) {
		unix.SetsockoptInt(int(fd), solSCTP, sctpAutoASCONF, 1)
	})
}

// familyMismatch explains the EINVAL of sctp_bindx for an address the
// socket cannot carry (sctp_bindx_add → af_supported): an IPv6 address on
// an AF_INET socket, which a dial makes when every address is IPv4, or an
// IPv4 address on an IPv6-only one ("sctp6"). It returns nil otherwise.
func familyMismatch(fd int, addrs []netip.Addr) error {
	domain, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN)
	if err != nil {
		return nil
	}
	v6only := false
	if domain == unix.AF_INET6 {
		v, err := unix.GetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY)
		v6only = err == nil && v != 0
	}
	for _, a := range addrs {
		switch {
		case domain == unix.AF_INET && a.Is6():
			return &errnoReason{unix.EINVAL, a.String() + " is IPv6 but the socket is IPv4 (AF_INET: every address was IPv4 when it was made)"}
		case v6only && a.Is4():
			return &errnoReason{unix.EINVAL, a.String() + " is IPv4 but the socket is IPv6-only (\"sctp6\")"}
		}
	}
	return nil
}

// autoASCONF reports SCTP_AUTO_ASCONF on: only a wildcard-bound socket
// can have it, and sctp_bindx on one answers EINVAL.
func autoASCONF(fd int) bool {
	v, err := unix.GetsockoptInt(fd, solSCTP, sctpAutoASCONF)
	return err == nil && v != 0
}

// sysctlsOff lists the sysctls that keep ASCONF off for new endpoints, as
// the calling thread's network namespace has them. Sysctls that cannot be
// read are not listed.
func sysctlsOff() []string {
	var off []string
	if v, ok := readSysctl(sysctlAddIP); ok && v == "0" {
		off = append(off, sysctlAddIP)
	}
	if v, ok := readSysctl(sysctlAuth); ok && v == "0" {
		if n, ok := readSysctl(sysctlAddIPNoAuth); !ok || n == "0" {
			off = append(off, sysctlAuth+" (or "+sysctlAddIPNoAuth+")")
		}
	}
	return off
}

// readSysctl reads /proc/sys/net/...; /proc/sys/net shows the network
// namespace of the thread that opens it.
func readSysctl(name string) (string, bool) {
	b, err := os.ReadFile("/proc/sys/" + strings.ReplaceAll(name, ".", "/"))
	if err != nil {
		return "", false
	}
	return strings.TrimSpace(string(b)), true
}

// errnoReason is an errno with the reason the kernel does not give; it
// goes inside the *os.SyscallError the bare errno would be in, and
// errors.Is still matches the errno.
type errnoReason struct {
	errno  syscall.Errno
	reason string
}

func (e *errnoReason) Error() string { return e.errno.Error() + ": " + e.reason }

func (e *errnoReason) Is(target error) bool { return target == e.errno }
