package netlab

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Family selects the addresses of a Lab's paths.
type Family int

const (
	// IPv4 puts path 0 on 192.0.2.0/24 and path 1 on 198.51.100.0/24.
	IPv4 Family = iota
	// IPv6 puts path 0 on 2001:db8:1::/64 and path 1 on 2001:db8:2::/64.
	IPv6
	// Mixed puts path 0 on 192.0.2.0/24 and path 1 on 2001:db8:2::/64.
	Mixed
)

func (f Family) String() string {
	switch f {
	case IPv4:
		return "IPv4"
	case IPv6:
		return "IPv6"
	case Mixed:
		return "mixed"
	}
	return fmt.Sprintf("Family(%d)", int(f))
}

// subnets are the documentation prefixes of each path per family; the
// client is host 1 and the server host 2.
var subnets = [2][2]netip.Prefix{
	{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("2001:db8:1::/64")},
	{netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("2001:db8:2::/64")},
}

// Path is one of the two links between client and server.
type Path struct {
	Prefix     netip.Prefix
	Client     netip.Addr // the client's address on this path
	Server     netip.Addr // the server's address on this path
	ClientLink string     // veth name in the client namespace
	ServerLink string     // veth name in the server namespace
}

// Lab is a client and a server namespace joined by two paths. Close tears
// it down; the namespaces vanish with their last socket.
type Lab struct {
	Family Family
	Client *NS
	Server *NS
	Paths  [2]Path

	cut [2]bool
}

// New builds a Lab: two namespaces, two veth pairs, addresses without
// duplicate address detection, every link up and every address usable
// before it returns.
func New(f Family) (_ *Lab, err error) {
	if f < IPv4 || f > Mixed {
		return nil, fmt.Errorf("netlab: unknown family %v", f)
	}
	l := &Lab{Family: f}
	defer func() {
		if err != nil {
			l.Close()
		}
	}()
	if l.Client, err = newNS("client"); err != nil {
		return nil, err
	}
	if l.Server, err = newNS("server"); err != nil {
		return nil, err
	}
	for _, ns := range []*NS{l.Client, l.Server} {
		// New links copy "default"; addresses also carry IFA_F_NODAD.
		for _, k := range []string{"net.ipv6.conf.all.accept_dad", "net.ipv6.conf.default.accept_dad"} {
			if err := ns.Sysctl(k, "0"); err != nil {
				return nil, fmt.Errorf("netlab: %s in %s: %w", k, ns.Name, err)
			}
		}
	}
	for i := range l.Paths {
		fam := 0
		if f == IPv6 || (f == Mixed && i == 1) {
			fam = 1
		}
		p := subnets[i][fam]
		l.Paths[i] = Path{
			Prefix:     p,
			Client:     p.Addr().Next(),
			Server:     p.Addr().Next().Next(),
			ClientLink: fmt.Sprintf("veth%dc", i),
			ServerLink: fmt.Sprintf("veth%ds", i),
		}
		if err := l.addPath(l.Paths[i]); err != nil {
			return nil, err
		}
	}
	for _, p := range l.Paths {
		if err := waitUsable(l.Client, p.ClientLink, p.Client); err != nil {
			return nil, err
		}
		if err := waitUsable(l.Server, p.ServerLink, p.Server); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func (l *Lab) addPath(p Path) error {
	veth := &netlink.Veth{
		LinkAttrs:     netlink.LinkAttrs{Name: p.ClientLink},
		PeerName:      p.ServerLink,
		PeerNamespace: netlink.NsFd(l.Server.h),
	}
	if err := l.Client.nl.LinkAdd(veth); err != nil {
		return fmt.Errorf("netlab: veth %s/%s: %w", p.ClientLink, p.ServerLink, err)
	}
	for _, e := range []struct {
		ns   *NS
		link string
		ip   netip.Addr
	}{{l.Client, p.ClientLink, p.Client}, {l.Server, p.ServerLink, p.Server}} {
		link, err := e.ns.nl.LinkByName(e.link)
		if err != nil {
			return fmt.Errorf("netlab: %s in %s: %w", e.link, e.ns.Name, err)
		}
		a := &netlink.Addr{IPNet: ipNet(netip.PrefixFrom(e.ip, p.Prefix.Bits())), Flags: unix.IFA_F_NODAD}
		if err := e.ns.nl.AddrAdd(link, a); err != nil {
			return fmt.Errorf("netlab: address %v on %s in %s: %w", e.ip, e.link, e.ns.Name, err)
		}
		if err := e.ns.nl.LinkSetUp(link); err != nil {
			return fmt.Errorf("netlab: %s up in %s: %w", e.link, e.ns.Name, err)
		}
	}
	return nil
}

// waitUsable waits until the link is operationally up and its address is
// neither tentative nor failed DAD.
func waitUsable(ns *NS, name string, ip netip.Addr) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		ok, err := usable(ns, name, ip)
		if err != nil || ok {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("netlab: %s in %s not up with %v after 5s", name, ns.Name, ip)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func usable(ns *NS, name string, ip netip.Addr) (bool, error) {
	link, err := ns.nl.LinkByName(name)
	if err != nil {
		return false, err
	}
	if link.Attrs().OperState != netlink.OperUp {
		return false, nil
	}
	addrs, err := ns.nl.AddrList(link, netlink.FAMILY_ALL)
	if errors.Is(err, netlink.ErrDumpInterrupted) {
		// The address table changed during the dump (DAD, links coming
		// up): the caller polls again.
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, a := range addrs {
		if got, _ := netip.AddrFromSlice(a.IP); got.Unmap() == ip {
			return a.Flags&(unix.IFA_F_TENTATIVE|unix.IFA_F_DADFAILED) == 0, nil
		}
	}
	return false, nil
}

// ClientAddrs returns the client's addresses, path 0 first.
func (l *Lab) ClientAddrs() []netip.Addr {
	return []netip.Addr{l.Paths[0].Client, l.Paths[1].Client}
}

// ServerAddrs returns the server's addresses, path 0 first.
func (l *Lab) ServerAddrs() []netip.Addr {
	return []netip.Addr{l.Paths[0].Server, l.Paths[1].Server}
}

// Close deletes the links and releases both namespaces. Sockets still open
// in them keep them alive (without links) until they are closed.
func (l *Lab) Close() error {
	if l == nil {
		return nil
	}
	var errs []error
	for _, p := range l.Paths {
		if l.Client == nil || p.ClientLink == "" {
			continue
		}
		// Deleting one end of a veth pair deletes both.
		if link, err := l.Client.nl.LinkByName(p.ClientLink); err == nil {
			if err := l.Client.nl.LinkDel(link); err != nil {
				errs = append(errs, fmt.Errorf("netlab: delete %s: %w", p.ClientLink, err))
			}
		}
	}
	errs = append(errs, l.Client.close(), l.Server.close())
	l.Client, l.Server = nil, nil
	return errors.Join(errs...)
}

func ipNet(p netip.Prefix) *net.IPNet {
	bits := 32
	if p.Addr().Is6() {
		bits = 128
	}
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), bits)}
}
