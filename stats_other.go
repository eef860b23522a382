//go:build !linux

package sctpdial

// AssocStats fails: SCTP is not supported on this system.
func (c *Conn) AssocStats() (AssocStats, error) { return AssocStats{}, c.opError("get") }

// NotificationCounts returns zero counts: SCTP is not supported on this
// system.
func (c *Conn) NotificationCounts() NotificationCounts { return NotificationCounts{} }

func (c *Conn) fillConnectDone(*ConnectDoneInfo) {}
