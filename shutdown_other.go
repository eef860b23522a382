//go:build !linux

package sctpdial

import "context"

// Shutdown fails: SCTP is not supported on this system.
func (c *Conn) Shutdown(ctx context.Context) error { return c.opError("shutdown") }

func (c *Conn) abort() {}
