//go:build !linux

package sctpdial

import (
	"errors"
	"net"
	"os"
	"runtime"
	"syscall"
	"time"
)

// errListenUnsupported is what listening reports outside Linux.
var errListenUnsupported = errors.Join(
	errors.New("sctpdial: SCTP listening is not supported on "+runtime.GOOS),
	errors.ErrUnsupported,
)

// Listener is an SCTP listener. Outside Linux none can be created and
// every method fails with an error that errors.Is errors.ErrUnsupported.
type Listener struct{}

var (
	_ net.Listener = (*Listener)(nil)
	_ syscall.Conn = (*Listener)(nil)
)

func (lc *ListenConfig) listenSCTP(*listenPlan) (*Listener, error) {
	return nil, errListenUnsupported
}

// Addr returns nil: no Listener exists outside Linux.
func (l *Listener) Addr() net.Addr { return nil }

// Accept fails: SCTP is not supported on this system.
func (l *Listener) Accept() (net.Conn, error) { return nil, errListenUnsupported }

// AcceptSCTP fails: SCTP is not supported on this system.
func (l *Listener) AcceptSCTP() (*Conn, error) { return nil, errListenUnsupported }

// Close fails: SCTP is not supported on this system.
func (l *Listener) Close() error { return errListenUnsupported }

// SetDeadline fails: SCTP is not supported on this system.
func (l *Listener) SetDeadline(time.Time) error { return errListenUnsupported }

// SyscallConn fails: SCTP is not supported on this system.
func (l *Listener) SyscallConn() (syscall.RawConn, error) { return nil, errListenUnsupported }

// File fails: SCTP is not supported on this system.
func (l *Listener) File() (*os.File, error) { return nil, errListenUnsupported }
