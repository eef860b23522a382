package sctpdial

import (
	"context"
	"errors"
	"os"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// portRepicks bounds how many fresh sockets a dial opens to avoid recently
// ended ports. With the memory at its cap, eight picks in a row land on
// remembered ports about once in five million dials.
const portRepicks = 8

// portsAvoided counts the sockets dials discarded because of their port,
// for tests.
var portsAvoided atomic.Uint64

// dialSocket opens and prepares the socket a dial connects (openSocket).
// When the dial guards its port (dialPlan.guardsPort) and endedPorts
// remembers a recent association, it binds the socket first to learn its
// port (connectx would bind the same wildcard address: sctp_autobind)
// and, while that port ended an association with the same peer port
// lately, opens another socket, at most portRepicks more. The rejected
// sockets stay open until the dial has its socket, so the kernel cannot
// hand the same port out again; no packet was sent from them. A dial that
// cannot open or prepare one more socket keeps the last one it had; one
// whose fresh socket finds no port left takes back the rejected socket
// whose association ended longest ago.
func (d *Dialer) dialSocket(ctx context.Context, family int, p *dialPlan) (int, error) {
	fd, err := d.openSocket(ctx, family, p)
	if err != nil || !p.guardsPort() || !endedPorts.active(monoNow()) {
		return fd, err
	}
	var held []rejectedSocket
	defer func() {
		for _, h := range held {
			unix.Close(h.fd)
		}
	}()
	for i := 0; ; i++ {
		port, ok := boundPort(fd, family, p)
		if !ok {
			if len(held) > 0 {
				// No port left for this socket: the held ones took the last.
				unix.Close(fd)
				fd, held = takeOldest(held)
			}
			break
		}
		ended, recent := endedPorts.endedAt(port, p.port, monoNow())
		if !recent || i == portRepicks {
			break
		}
		var pace initPacing
		if p.pace != nil {
			pace = *p.pace // what apply and keepHookChoice learnt of fd
		}
		next, err := d.openSocket(ctx, family, p)
		if err != nil {
			if p.pace != nil {
				*p.pace = pace
			}
			break
		}
		portsAvoided.Add(1)
		held = append(held, rejectedSocket{fd, ended})
		fd = next
	}
	return fd, nil
}

// rejectedSocket is a socket dialSocket holds: its descriptor and when its
// port's association ended.
type rejectedSocket struct {
	fd    int
	ended int64
}

// takeOldest removes from held the socket whose association ended first
// and returns its descriptor and the rest.
func takeOldest(held []rejectedSocket) (int, []rejectedSocket) {
	j := 0
	for i, h := range held {
		if h.ended < held[j].ended {
			j = i
		}
	}
	fd := held[j].fd
	return fd, append(held[:j], held[j+1:]...)
}

// openSocket opens one non-blocking socket for p and prepares it
// (setupSocket); on error nothing stays open.
func (d *Dialer) openSocket(ctx context.Context, family int, p *dialPlan) (int, error) {
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_SCTP)
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	if err := d.setupSocket(ctx, fd, family, p); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// boundPort returns the local port of a prepared socket whose port the
// kernel picks, binding the wildcard address with port 0 first when no
// LocalAddr was bound. ok is false when the bind failed, which means no
// port is free (connectx would meet the same failure and report it).
func boundPort(fd, family int, p *dialPlan) (port int, ok bool) {
	if p.laddr == nil && bindWildcard(fd, family, 0) != nil {
		return 0, false
	}
	port = int(sockname(fd).Port())
	return port, port != 0
}

// noteEnded records in endedPorts the local port of a dial's association
// that is ending with err, unless the peer cannot hold an association for
// it: the dial was refused, or the association was a self-connect.
func (p *dialPlan) noteEnded(fd int, err error) {
	if !p.guardsPort() || err == errSelfConnect || errors.Is(err, unix.ECONNREFUSED) {
		return
	}
	endedPorts.add(int(sockname(fd).Port()), p.port, monoNow())
}

// bindWildcard binds fd to the wildcard address of family with port (0:
// the kernel picks, as sctp_autobind would), without allocating
// (unix.Bind allocates its sockaddr).
func bindWildcard(fd, family, port int) error {
	// sockaddr_in is sockaddr_in6 cut short: family, then the port
	// (big-endian; ntohs swaps both ways), then a zero address.
	var sa unix.RawSockaddrInet6
	sa.Family, sa.Port = uint16(family), ntohs(uint16(port))
	n := uintptr(unix.SizeofSockaddrInet4)
	if family == unix.AF_INET6 {
		n = unix.SizeofSockaddrInet6
	}
	_, _, e := unix.RawSyscall(unix.SYS_BIND, uintptr(fd), uintptr(unsafe.Pointer(&sa)), n)
	if e != 0 {
		return e
	}
	return nil
}
