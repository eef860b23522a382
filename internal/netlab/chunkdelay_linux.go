package netlab

import (
	"errors"
	"fmt"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// SCTP chunk types the tests hand DelayChunk (RFC 9260 section 3.2).
const (
	ChunkCookieEcho       = 10 // COOKIE ECHO
	ChunkShutdownComplete = 14 // SHUTDOWN COMPLETE
)

// DelayChunk delays by d the IPv4 SCTP packets leaving the client on path
// i whose first chunk has type chunk, and no other packet, so that a later
// packet can overtake them. The root qdisc of the client's end becomes a
// prio qdisc whose third band is a netem delay; a u32 filter on the IP
// protocol (byte 9) and the first chunk's type (byte 32: a 20-byte IPv4
// header without options, then the 12-byte SCTP common header) sends the
// matching packets there. Restore undoes it; Impair replaces it.
func (l *Lab) DelayChunk(i int, chunk uint8, d time.Duration) error {
	p, err := l.path(i)
	if err != nil {
		return err
	}
	if d < 0 {
		return fmt.Errorf("netlab: negative delay %v", d)
	}
	ns := l.Client
	link, err := ns.nl.LinkByName(p.ClientLink)
	if err != nil {
		return err
	}
	idx := link.Attrs().Index
	root := netlink.MakeHandle(1, 0)
	band := netlink.MakeHandle(1, 3)
	fail := func(what string, err error) error {
		clearRoot(ns, p.ClientLink)
		return fmt.Errorf("netlab: %s on %s in %s (are sch_prio, cls_u32 and sch_netem loaded?): %w", what, p.ClientLink, ns.Name, err)
	}
	if err := ns.nl.QdiscReplace(netlink.NewPrio(netlink.QdiscAttrs{LinkIndex: idx, Handle: root, Parent: netlink.HANDLE_ROOT})); err != nil {
		return fail("prio qdisc", err)
	}
	delay := netlink.NewNetem(netlink.QdiscAttrs{LinkIndex: idx, Handle: netlink.MakeHandle(10, 0), Parent: band},
		netlink.NetemQdiscAttrs{Latency: uint32(d.Microseconds())})
	if err := ns.nl.QdiscAdd(delay); err != nil {
		return fail("netem band", err)
	}
	filter := &netlink.U32{
		FilterAttrs: netlink.FilterAttrs{LinkIndex: idx, Parent: root, Priority: 1, Protocol: unix.ETH_P_IP},
		ClassId:     band,
		Sel: &netlink.TcU32Sel{
			Flags: netlink.TC_U32_TERMINAL,
			Keys: []netlink.TcU32Key{
				{Mask: 0x00ff0000, Val: unix.IPPROTO_SCTP << 16, Off: 8}, // TTL, protocol, checksum
				{Mask: 0xff000000, Val: uint32(chunk) << 24, Off: 32},    // type, flags, length
			},
		},
	}
	if err := ns.nl.FilterAdd(filter); err != nil {
		return fail("u32 filter", err)
	}
	return nil
}

// clearRoot deletes the root qdisc of a link, whatever it is (and with it
// its classes, filters and child qdiscs).
func clearRoot(ns *NS, name string) error {
	link, err := ns.nl.LinkByName(name)
	if err != nil {
		return err
	}
	qs, err := ns.nl.QdiscList(link)
	for try := 0; errors.Is(err, netlink.ErrDumpInterrupted) && try < 10; try++ {
		// The qdisc table changed during the dump: read it again.
		qs, err = ns.nl.QdiscList(link)
	}
	if err != nil {
		return err
	}
	for _, q := range qs {
		if q.Attrs().Parent == netlink.HANDLE_ROOT && q.Type() != "noqueue" {
			if err := ns.nl.QdiscDel(q); err != nil {
				return fmt.Errorf("netlab: remove the root qdisc of %s in %s: %w", name, ns.Name, err)
			}
		}
	}
	return nil
}
