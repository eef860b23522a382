//go:build !linux

package sctpdial

import "net"

// AddLocalAddrs fails: SCTP is not supported on this system.
func (c *Conn) AddLocalAddrs(ips ...net.IP) error { return c.opError("set") }

// RemoveLocalAddrs fails: SCTP is not supported on this system.
func (c *Conn) RemoveLocalAddrs(ips ...net.IP) error { return c.opError("set") }

// SetPeerPrimary fails: SCTP is not supported on this system.
func (c *Conn) SetPeerPrimary(ip net.IP) error { return c.opError("set") }

// AddressChangeSupport fails: SCTP is not supported on this system.
func (c *Conn) AddressChangeSupport() (AddressChangeSupport, error) {
	return AddressChangeSupport{}, c.opError("get")
}

// markAddressChanges is never reached: no Conn exists outside Linux.
func (c *Conn) markAddressChanges() {}

// AddLocalAddrs fails: SCTP is not supported on this system.
func (l *Listener) AddLocalAddrs(ips ...net.IP) error { return errNoSCTP }

// RemoveLocalAddrs fails: SCTP is not supported on this system.
func (l *Listener) RemoveLocalAddrs(ips ...net.IP) error { return errNoSCTP }
