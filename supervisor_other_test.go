//go:build !linux

package sctpdial

import (
	"context"
	"errors"
	"testing"
	"time"
)

// Off Linux a Supervisor gives up at its first attempt, and
// Conn.Shutdown fails, both with errors.ErrUnsupported.
func TestSupervisorUnsupportedOffLinux(t *testing.T) {
	var d Dialer
	s, err := d.Supervise(context.Background(), "sctp", "192.0.2.1:9", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = s.WaitConn(ctx)
	var nce *NotConnectedError
	if !errors.As(err, &nce) || nce.State != SupervisorGaveUp || !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("WaitConn: %v, want a NotConnectedError in state gave up matching errors.ErrUnsupported", err)
	}
	var c Conn
	if err := c.Shutdown(ctx); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("Conn.Shutdown: %v, want errors.ErrUnsupported", err)
	}
}
