package netlab

import (
	"fmt"
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// AddAddr configures one more address on a link of the namespace (such as
// a Path's ClientLink), without duplicate address detection, and waits
// until it is usable. p gives the address and its prefix length, for
// example 192.0.2.11/24 on path 0's link.
func (n *NS) AddAddr(link string, p netip.Prefix) error {
	l, err := n.nl.LinkByName(link)
	if err != nil {
		return fmt.Errorf("netlab: %s in %s: %w", link, n.Name, err)
	}
	if err := n.nl.AddrAdd(l, &netlink.Addr{IPNet: ipNet(p), Flags: unix.IFA_F_NODAD}); err != nil {
		return fmt.Errorf("netlab: address %v on %s in %s: %w", p, link, n.Name, err)
	}
	return waitUsable(n, link, p.Addr())
}

// DelAddr removes an address that AddAddr (or New) configured.
func (n *NS) DelAddr(link string, p netip.Prefix) error {
	l, err := n.nl.LinkByName(link)
	if err != nil {
		return fmt.Errorf("netlab: %s in %s: %w", link, n.Name, err)
	}
	if err := n.nl.AddrDel(l, &netlink.Addr{IPNet: ipNet(p)}); err != nil {
		return fmt.Errorf("netlab: delete %v on %s in %s: %w", p, link, n.Name, err)
	}
	return nil
}
