//go:build !linux

package sctpdial

// SetFailover fails: SCTP is not supported on this system.
func (c *Conn) SetFailover(f Failover) error { return c.opError("set") }

// PathThresholds fails: SCTP is not supported on this system.
func (c *Conn) PathThresholds() (PathThresholds, error) { return PathThresholds{}, c.opError("get") }

// SetPathThresholds fails: SCTP is not supported on this system.
func (c *Conn) SetPathThresholds(t PathThresholds) error { return c.opError("set") }

// AssocParams fails: SCTP is not supported on this system.
func (c *Conn) AssocParams() (AssocParams, error) { return AssocParams{}, c.opError("get") }

// PFExpose fails: SCTP is not supported on this system.
func (c *Conn) PFExpose() (PFExpose, error) { return 0, c.opError("get") }
