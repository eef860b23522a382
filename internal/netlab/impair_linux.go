package netlab

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Cut stops all traffic on path i in both directions: each namespace gets
// a blackhole route to the other's address on that path, so packets are
// dropped on the way out, as on a broken link, and nothing answers.
// The links and addresses stay, so Restore brings the path back as it was.
func (l *Lab) Cut(i int) error {
	p, err := l.path(i)
	if err != nil {
		return err
	}
	if l.cut[i] {
		return nil
	}
	if err := blackhole(l.Client, p.Server, true); err != nil {
		return err
	}
	if err := blackhole(l.Server, p.Client, true); err != nil {
		blackhole(l.Client, p.Server, false)
		return err
	}
	l.cut[i] = true
	return nil
}

// Restore undoes Cut and Impair on path i.
func (l *Lab) Restore(i int) error {
	p, err := l.path(i)
	if err != nil {
		return err
	}
	var errs []error
	if l.cut[i] {
		errs = append(errs, blackhole(l.Client, p.Server, false), blackhole(l.Server, p.Client, false))
		l.cut[i] = false
	}
	errs = append(errs, clearRoot(l.Client, p.ClientLink), clearRoot(l.Server, p.ServerLink))
	return errors.Join(errs...)
}

// Impairment is what netem does to every packet leaving either end of a
// path: the round trip gets twice the Delay, and each direction loses Loss.
type Impairment struct {
	Delay  time.Duration
	Jitter time.Duration
	Loss   float64 // percent, 0–100
}

// Impair applies im to path i (netem as the root qdisc of both veth ends,
// replacing any earlier impairment).
func (l *Lab) Impair(i int, im Impairment) error {
	p, err := l.path(i)
	if err != nil {
		return err
	}
	if im.Loss < 0 || im.Loss > 100 || im.Delay < 0 || im.Jitter < 0 {
		return fmt.Errorf("netlab: bad impairment %+v", im)
	}
	if err := netem(l.Client, p.ClientLink, im); err != nil {
		return err
	}
	if err := netem(l.Server, p.ServerLink, im); err != nil {
		clearRoot(l.Client, p.ClientLink)
		return err
	}
	return nil
}

func (l *Lab) path(i int) (Path, error) {
	if l == nil || l.Client == nil || i < 0 || i >= len(l.Paths) {
		return Path{}, fmt.Errorf("netlab: no path %d", i)
	}
	return l.Paths[i], nil
}

func blackhole(ns *NS, dst netip.Addr, add bool) error {
	r := &netlink.Route{
		Dst:   ipNet(netip.PrefixFrom(dst, dst.BitLen())),
		Type:  unix.RTN_BLACKHOLE,
		Table: unix.RT_TABLE_MAIN,
	}
	if add {
		if err := ns.nl.RouteAdd(r); err != nil {
			return fmt.Errorf("netlab: blackhole %v in %s: %w", dst, ns.Name, err)
		}
		return nil
	}
	if err := ns.nl.RouteDel(r); err != nil {
		return fmt.Errorf("netlab: remove blackhole %v in %s: %w", dst, ns.Name, err)
	}
	return nil
}

func netem(ns *NS, name string, im Impairment) error {
	link, err := ns.nl.LinkByName(name)
	if err != nil {
		return err
	}
	q := netlink.NewNetem(netlink.QdiscAttrs{
		LinkIndex: link.Attrs().Index,
		Handle:    netlink.MakeHandle(1, 0),
		Parent:    netlink.HANDLE_ROOT,
	}, netlink.NetemQdiscAttrs{
		Latency: uint32(im.Delay.Microseconds()),
		Jitter:  uint32(im.Jitter.Microseconds()),
		Loss:    float32(im.Loss),
	})
	if err := ns.nl.QdiscReplace(q); err != nil {
		return fmt.Errorf("netlab: netem on %s in %s (is sch_netem loaded?): %w", name, ns.Name, err)
	}
	return nil
}
