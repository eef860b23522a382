package netlab

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// NS is a network namespace of a Lab.
type NS struct {
	// Name says which side it is ("client" or "server"); it is not a
	// named namespace in /run/netns.
	Name string

	h  netns.NsHandle
	nl *netlink.Handle
}

// newNS makes a fresh network namespace with its loopback up, without
// moving the calling goroutine's thread: unshare(CLONE_NEWNET) happens on a
// locked thread that is switched back before it is unlocked.
func newNS(name string) (*NS, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := netns.Get()
	if err != nil {
		return nil, fmt.Errorf("netlab: current namespace: %w", err)
	}
	defer orig.Close()
	h, err := netns.New()
	if err != nil {
		return nil, fmt.Errorf("netlab: unshare(CLONE_NEWNET): %w", err)
	}
	if err := netns.Set(orig); err != nil {
		// This thread is stuck in the new namespace: keep it locked so
		// the runtime ends it with this goroutine instead of reusing it.
		h.Close()
		runtime.LockOSThread()
		return nil, fmt.Errorf("netlab: back to the original namespace: %w", err)
	}
	ns := &NS{Name: name, h: h}
	if ns.nl, err = netlink.NewHandleAt(h, unix.NETLINK_ROUTE); err != nil {
		h.Close()
		return nil, fmt.Errorf("netlab: netlink in %s: %w", name, err)
	}
	lo, err := ns.nl.LinkByName("lo")
	if err == nil {
		err = ns.nl.LinkSetUp(lo)
	}
	if err != nil {
		ns.close()
		return nil, fmt.Errorf("netlab: lo up in %s: %w", name, err)
	}
	return ns, nil
}

// Do runs f on an OS thread locked to the calling goroutine and switched
// into the namespace, then switches the thread back. Sockets f creates
// belong to the namespace for their whole life, wherever they are used
// later; goroutines f starts run on other threads, outside it.
func (n *NS) Do(f func() error) error {
	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("netlab: current namespace: %w", err)
	}
	defer orig.Close()
	if err := netns.Set(n.h); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("netlab: enter %s: %w", n.Name, err)
	}
	ferr := f()
	if err := netns.Set(orig); err != nil {
		// Leave the thread locked: it dies with the goroutine.
		return errors.Join(ferr, fmt.Errorf("netlab: leave %s: %w", n.Name, err))
	}
	runtime.UnlockOSThread()
	return ferr
}

// Sysctl sets a sysctl of the namespace, such as "net.sctp.rto_initial"
// ("net.*" sysctls are per namespace; a new namespace starts from the
// kernel's defaults, not from the host's values).
func (n *NS) Sysctl(key, value string) error {
	return n.Do(func() error {
		// /proc/sys/net resolves the namespace of the thread opening it.
		return os.WriteFile(sysctlPath(key), []byte(value), 0)
	})
}

// ReadSysctl reads a sysctl of the namespace.
func (n *NS) ReadSysctl(key string) (string, error) {
	var v string
	err := n.Do(func() error {
		b, err := os.ReadFile(sysctlPath(key))
		v = strings.TrimSpace(string(b))
		return err
	})
	return v, err
}

func sysctlPath(key string) string {
	return "/proc/sys/" + strings.ReplaceAll(key, ".", "/")
}

// Netlink returns a netlink handle operating in the namespace, for changes
// the Lab does not offer (more addresses, routes, links).
func (n *NS) Netlink() *netlink.Handle { return n.nl }

func (n *NS) close() error {
	if n == nil {
		return nil
	}
	if n.nl != nil {
		n.nl.Close()
	}
	return n.h.Close()
}
