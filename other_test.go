//go:build !linux

package sctpdial

import (
	"errors"
	"testing"
)

// Off Linux every SCTP entry point fails with errors.ErrUnsupported, while
// other networks still work through net.Dialer.
func TestUnsupportedOffLinux(t *testing.T) {
	_, err := Dial("sctp", "192.0.2.1:9")
	if !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("Dial: %v, want errors.ErrUnsupported", err)
	}
	_, err = Listen("sctp", "127.0.0.1:0")
	if !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("Listen: %v, want errors.ErrUnsupported", err)
	}
	var c Conn
	if _, err := c.Read(nil); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("Conn.Read: %v, want errors.ErrUnsupported", err)
	}
}
