package sctpdial

import (
	"context"
	"net"
	"net/netip"

	"github.com/ishidawataru/sctp"
)

// The methods below complete net.Dialer's method set: they concern other
// protocols and are served by the net.Dialer that netDialer builds from the
// same fields.

// netDialer builds the net.Dialer that serves non-SCTP networks. Cancel is
// not passed on: Go 1.26's net.Dialer leaks a goroutine per dial whose
// Cancel channel is never closed (dialCtx shadows its cancel function), so
// callers fold it into the context with withCancel instead.
func (d *Dialer) netDialer() *net.Dialer {
	nd := &net.Dialer{
		Timeout:         d.Timeout,
		Deadline:        d.Deadline,
		Resolver:        d.Resolver,
		KeepAlive:       d.KeepAlive,
		KeepAliveConfig: d.KeepAliveConfig,
		FallbackDelay:   d.FallbackDelay,
		Control:         d.Control,
		ControlContext:  d.ControlContext,
	}
	if _, isSCTP := d.LocalAddr.(*sctp.SCTPAddr); !isSCTP {
		nd.LocalAddr = d.LocalAddr
	}
	if d.mptcp != 0 {
		nd.SetMultipathTCP(d.mptcp > 0)
	}
	return nd
}

// MultipathTCP reports whether TCP dials passed to net.Dialer use MPTCP,
// as net.Dialer.MultipathTCP does. It does not concern SCTP networks,
// which are multi-homed by design.
func (d *Dialer) MultipathTCP() bool {
	return d.netDialer().MultipathTCP()
}

// SetMultipathTCP directs TCP dials passed to net.Dialer to use, or not
// use, MPTCP, as net.Dialer.SetMultipathTCP does.
func (d *Dialer) SetMultipathTCP(use bool) {
	d.mptcp = -1
	if use {
		d.mptcp = 1
	}
}

// DialTCP is net.Dialer.DialTCP with this Dialer's fields.
func (d *Dialer) DialTCP(ctx context.Context, network string, laddr, raddr netip.AddrPort) (*net.TCPConn, error) {
	ctx, cancel := d.withCancel(ctx)
	defer cancel()
	return d.netDialer().DialTCP(ctx, network, laddr, raddr)
}

// DialUDP is net.Dialer.DialUDP with this Dialer's fields.
func (d *Dialer) DialUDP(ctx context.Context, network string, laddr, raddr netip.AddrPort) (*net.UDPConn, error) {
	ctx, cancel := d.withCancel(ctx)
	defer cancel()
	return d.netDialer().DialUDP(ctx, network, laddr, raddr)
}

// DialIP is net.Dialer.DialIP with this Dialer's fields.
func (d *Dialer) DialIP(ctx context.Context, network string, laddr, raddr netip.Addr) (*net.IPConn, error) {
	ctx, cancel := d.withCancel(ctx)
	defer cancel()
	return d.netDialer().DialIP(ctx, network, laddr, raddr)
}

// DialUnix is net.Dialer.DialUnix with this Dialer's fields.
func (d *Dialer) DialUnix(ctx context.Context, network string, laddr, raddr *net.UnixAddr) (*net.UnixConn, error) {
	ctx, cancel := d.withCancel(ctx)
	defer cancel()
	return d.netDialer().DialUnix(ctx, network, laddr, raddr)
}
