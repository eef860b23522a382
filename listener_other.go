//go:build !linux

package sctpdial

import (
	"net"
	"os"
	"syscall"
	"time"
)

// Listener is an SCTP listener. Outside Linux none can be created and
// every method fails with an error that errors.Is errors.ErrUnsupported.
type Listener struct{}

var (
	_ net.Listener = (*Listener)(nil)
	_ syscall.Conn = (*Listener)(nil)
)

func (lc *ListenConfig) listenSCTP(*listenPlan) (*Listener, error) {
	return nil, errNoSCTP
}

// Addr returns nil: no Listener exists outside Linux.
func (l *Listener) Addr() net.Addr { return nil }

// Accept fails: SCTP is not supported on this system.
func (l *Listener) Accept() (net.Conn, error) { return nil, errNoSCTP }

// AcceptSCTP fails: SCTP is not supported on this system.
func (l *Listener) AcceptSCTP() (*Conn, error) { return nil, errNoSCTP }

// Close fails: SCTP is not supported on this system.
func (l *Listener) Close() error { return errNoSCTP }

// SetDeadline fails: SCTP is not supported on this system.
func (l *Listener) SetDeadline(time.Time) error { return errNoSCTP }

// SyscallConn fails: SCTP is not supported on this system.
func (l *Listener) SyscallConn() (syscall.RawConn, error) { return nil, errNoSCTP }

// File fails: SCTP is not supported on this system.
func (l *Listener) File() (*os.File, error) { return nil, errNoSCTP }
