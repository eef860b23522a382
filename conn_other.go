//go:build !linux

package sctpdial

import (
	"net"
	"os"
	"syscall"
	"time"

	"github.com/ishidawataru/sctp"
)

// Conn is an SCTP association. Outside Linux none can be created and every
// method fails with an error that errors.Is errors.ErrUnsupported.
type Conn struct{}

var (
	_ net.Conn     = (*Conn)(nil)
	_ syscall.Conn = (*Conn)(nil)
)

func (c *Conn) opError(op string) error {
	return &net.OpError{Op: op, Net: "sctp", Err: errNoSCTP}
}

// Read fails: SCTP is not supported on this system.
func (c *Conn) Read(b []byte) (int, error) { return 0, c.opError("read") }

// Write fails: SCTP is not supported on this system.
func (c *Conn) Write(b []byte) (int, error) { return 0, c.opError("write") }

// Close fails: SCTP is not supported on this system.
func (c *Conn) Close() error { return c.opError("close") }

// CloseWrite fails: SCTP is not supported on this system.
func (c *Conn) CloseWrite() error { return c.opError("close") }

// CloseRead fails: SCTP is not supported on this system.
func (c *Conn) CloseRead() error { return c.opError("close") }

// File fails: SCTP is not supported on this system.
func (c *Conn) File() (*os.File, error) { return nil, c.opError("file") }

// LocalAddr returns nil.
func (c *Conn) LocalAddr() net.Addr { return nil }

// RemoteAddr returns nil.
func (c *Conn) RemoteAddr() net.Addr { return nil }

// SetDeadline fails: SCTP is not supported on this system.
func (c *Conn) SetDeadline(t time.Time) error { return c.opError("set") }

// SetReadDeadline fails: SCTP is not supported on this system.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.opError("set") }

// SetWriteDeadline fails: SCTP is not supported on this system.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.opError("set") }

// SyscallConn fails: SCTP is not supported on this system.
func (c *Conn) SyscallConn() (syscall.RawConn, error) { return nil, c.opError("raw-control") }

// AssocID returns 0.
func (c *Conn) AssocID() int32 { return 0 }

// WriteMsg fails: SCTP is not supported on this system.
func (c *Conn) WriteMsg(b []byte, info *MsgInfo) (int, error) { return 0, c.opError("write") }

// ReadMsg fails: SCTP is not supported on this system.
func (c *Conn) ReadMsg(b []byte) (int, MsgInfo, error) { return 0, MsgInfo{}, c.opError("read") }

// Status fails: SCTP is not supported on this system.
func (c *Conn) Status() (Status, error) { return Status{}, c.opError("get") }

// Paths fails: SCTP is not supported on this system.
func (c *Conn) Paths() ([]PathInfo, error) { return nil, c.opError("get") }

// SetPrimaryAddr fails: SCTP is not supported on this system.
func (c *Conn) SetPrimaryAddr(ip net.IP) error { return c.opError("set") }

// SetNoDelay fails: SCTP is not supported on this system.
func (c *Conn) SetNoDelay(noDelay bool) error { return c.opError("set") }

// SetReadBuffer fails: SCTP is not supported on this system.
func (c *Conn) SetReadBuffer(bytes int) error { return c.opError("set") }

// SetWriteBuffer fails: SCTP is not supported on this system.
func (c *Conn) SetWriteBuffer(bytes int) error { return c.opError("set") }

// SetHeartbeat fails: SCTP is not supported on this system.
func (c *Conn) SetHeartbeat(interval time.Duration) error { return c.opError("set") }

// RTOInfo fails: SCTP is not supported on this system.
func (c *Conn) RTOInfo() (RTOInfo, error) { return RTOInfo{}, c.opError("get") }

// SetRTOInfo fails: SCTP is not supported on this system.
func (c *Conn) SetRTOInfo(r RTOInfo) error { return c.opError("set") }

// PathParams fails: SCTP is not supported on this system.
func (c *Conn) PathParams() (PathParams, error) { return PathParams{}, c.opError("get") }

// SetPathParams fails: SCTP is not supported on this system.
func (c *Conn) SetPathParams(p PathParams) error { return c.opError("set") }

// SetNotificationHandler fails: SCTP is not supported on this system.
func (c *Conn) SetNotificationHandler(events EventMask, h func(Notification)) error {
	return c.opError("set")
}

// IntoSCTPConn fails: SCTP is not supported on this system.
func (c *Conn) IntoSCTPConn() (*sctp.SCTPConn, error) { return nil, c.opError("file") }

// DelayedSACK fails: SCTP is not supported on this system.
func (c *Conn) DelayedSACK() (DelayedSACK, error) { return DelayedSACK{}, c.opError("get") }

// SetDelayedSACK fails: SCTP is not supported on this system.
func (c *Conn) SetDelayedSACK(s DelayedSACK) error { return c.opError("set") }
