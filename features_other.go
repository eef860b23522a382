//go:build !linux

package sctpdial

// Features fails: SCTP is not supported on this system.
func (c *Conn) Features() (Features, error) { return Features{}, c.opError("get") }
