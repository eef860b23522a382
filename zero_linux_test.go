package sctpdial

import (
	"context"
	"net"
	"reflect"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestZeroValues calls every exported method of a zero and a nil *Conn and
// *Listener: none may panic, those returning an error fail with EINVAL as
// package net's do for a Conn it did not make, and the others return their
// zero value. The method lists are checked against the types, so a new
// method cannot be left out.
func TestZeroValues(t *testing.T) {
	// Methods that report an error.
	connErrs := map[string]func(t *testing.T, c *Conn) error{
		"Read":       func(t *testing.T, c *Conn) error { _, err := c.Read(make([]byte, 1)); return err },
		"Write":      func(t *testing.T, c *Conn) error { _, err := c.Write([]byte("x")); return err },
		"ReadMsg":    func(t *testing.T, c *Conn) error { _, _, err := c.ReadMsg(make([]byte, 1)); return err },
		"WriteMsg":   func(t *testing.T, c *Conn) error { _, err := c.WriteMsg([]byte("x"), &MsgInfo{PPID: 1}); return err },
		"Close":      func(t *testing.T, c *Conn) error { return c.Close() },
		"CloseWrite": func(t *testing.T, c *Conn) error { return c.CloseWrite() },
		"CloseRead":  func(t *testing.T, c *Conn) error { return c.CloseRead() },
		"Shutdown":   func(t *testing.T, c *Conn) error { return c.Shutdown(context.Background()) },
		"File": func(t *testing.T, c *Conn) error {
			f, err := c.File()
			require.Nil(t, f)
			return err
		},
		"AssocStats": func(t *testing.T, c *Conn) error {
			s, err := c.AssocStats()
			require.Zero(t, s)
			return err
		},
		"SetDeadline":      func(t *testing.T, c *Conn) error { return c.SetDeadline(time.Now()) },
		"SetReadDeadline":  func(t *testing.T, c *Conn) error { return c.SetReadDeadline(time.Now()) },
		"SetWriteDeadline": func(t *testing.T, c *Conn) error { return c.SetWriteDeadline(time.Now()) },
		"SyscallConn": func(t *testing.T, c *Conn) error {
			rc, err := c.SyscallConn()
			require.Nil(t, rc)
			return err
		},
		"Features": func(t *testing.T, c *Conn) error {
			f, err := c.Features()
			require.Zero(t, f)
			return err
		},
		"Status":         func(t *testing.T, c *Conn) error { _, err := c.Status(); return err },
		"Paths":          func(t *testing.T, c *Conn) error { _, err := c.Paths(); return err },
		"SetPrimaryAddr": func(t *testing.T, c *Conn) error { return c.SetPrimaryAddr(net.IPv4(127, 0, 0, 1)) },
		"SetNoDelay":     func(t *testing.T, c *Conn) error { return c.SetNoDelay(true) },
		"SetReadBuffer":  func(t *testing.T, c *Conn) error { return c.SetReadBuffer(1 << 16) },
		"SetWriteBuffer": func(t *testing.T, c *Conn) error { return c.SetWriteBuffer(1 << 16) },
		"SetHeartbeat":   func(t *testing.T, c *Conn) error { return c.SetHeartbeat(time.Second) },
		"RTOInfo":        func(t *testing.T, c *Conn) error { _, err := c.RTOInfo(); return err },
		"SetRTOInfo":     func(t *testing.T, c *Conn) error { return c.SetRTOInfo(RTOInfo{Min: time.Second}) },
		"DelayedSACK":    func(t *testing.T, c *Conn) error { _, err := c.DelayedSACK(); return err },
		"SetDelayedSACK": func(t *testing.T, c *Conn) error { return c.SetDelayedSACK(DelayedSACK{Frequency: 1}) },
		"PathParams":     func(t *testing.T, c *Conn) error { _, err := c.PathParams(); return err },
		"SetPathParams":  func(t *testing.T, c *Conn) error { return c.SetPathParams(PathParams{PathMaxRetrans: 3}) },
		"SetFailover":    func(t *testing.T, c *Conn) error { return c.SetFailover(FailoverWithin(time.Second)) },
		"PathThresholds": func(t *testing.T, c *Conn) error { _, err := c.PathThresholds(); return err },
		"SetPathThresholds": func(t *testing.T, c *Conn) error {
			return c.SetPathThresholds(PathThresholds{PathMaxRetrans: 2})
		},
		"AssocParams": func(t *testing.T, c *Conn) error { _, err := c.AssocParams(); return err },
		"PFExpose":    func(t *testing.T, c *Conn) error { _, err := c.PFExpose(); return err },
		"SetNotificationHandler": func(t *testing.T, c *Conn) error {
			return c.SetNotificationHandler(EventAll, func(Notification) {})
		},
		"IntoSCTPConn": func(t *testing.T, c *Conn) error {
			sc, err := c.IntoSCTPConn()
			require.Nil(t, sc)
			return err
		},
		"AddLocalAddrs":    func(t *testing.T, c *Conn) error { return c.AddLocalAddrs(net.IPv4(127, 0, 0, 2)) },
		"RemoveLocalAddrs": func(t *testing.T, c *Conn) error { return c.RemoveLocalAddrs(net.IPv4(127, 0, 0, 2)) },
		"SetPeerPrimary":   func(t *testing.T, c *Conn) error { return c.SetPeerPrimary(nil) },
		"AddressChangeSupport": func(t *testing.T, c *Conn) error {
			s, err := c.AddressChangeSupport()
			require.Zero(t, s)
			return err
		},
	}
	// Methods without an error result: their zero value (for net.Addr an
	// untyped nil, not a nil pointer in an interface).
	connValues := map[string]func(c *Conn) any{
		"LocalAddr":          func(c *Conn) any { return c.LocalAddr() },
		"RemoteAddr":         func(c *Conn) any { return c.RemoteAddr() },
		"AssocID":            func(c *Conn) any { return c.AssocID() },
		"NotificationCounts": func(c *Conn) any { return c.NotificationCounts() },
	}
	zeroOf := map[string]any{"LocalAddr": nil, "RemoteAddr": nil, "AssocID": int32(0), "Addr": nil, "NotificationCounts": NotificationCounts{}}
	listenerErrs := map[string]func(t *testing.T, l *Listener) error{
		"Accept": func(t *testing.T, l *Listener) error {
			c, err := l.Accept()
			require.Nil(t, c)
			return err
		},
		"AcceptSCTP": func(t *testing.T, l *Listener) error {
			c, err := l.AcceptSCTP()
			require.Nil(t, c)
			return err
		},
		"Close":       func(t *testing.T, l *Listener) error { return l.Close() },
		"SetDeadline": func(t *testing.T, l *Listener) error { return l.SetDeadline(time.Now()) },
		"SyscallConn": func(t *testing.T, l *Listener) error {
			rc, err := l.SyscallConn()
			require.Nil(t, rc)
			return err
		},
		"File": func(t *testing.T, l *Listener) error {
			f, err := l.File()
			require.Nil(t, f)
			return err
		},
		"AddLocalAddrs":    func(t *testing.T, l *Listener) error { return l.AddLocalAddrs(nil) },
		"RemoveLocalAddrs": func(t *testing.T, l *Listener) error { return l.RemoveLocalAddrs(net.IPv4(127, 0, 0, 2)) },
	}
	listenerValues := map[string]func(l *Listener) any{
		"Addr": func(l *Listener) any { return l.Addr() },
	}

	requireMethods(t, reflect.TypeFor[*Conn](), connErrs, connValues)
	requireMethods(t, reflect.TypeFor[*Listener](), listenerErrs, listenerValues)

	receivers := []struct {
		name string
		conn func() *Conn
		ln   func() *Listener
	}{
		{"zero", func() *Conn { return new(Conn) }, func() *Listener { return new(Listener) }},
		{"nil", func() *Conn { return nil }, func() *Listener { return nil }},
	}
	for _, r := range receivers {
		t.Run(r.name, func(t *testing.T) {
			for name, call := range connErrs {
				t.Run("Conn."+name, func(t *testing.T) {
					c := r.conn()
					for range 2 { // twice: a failed Close must not change that
						err := noPanic(t, func() error { return call(t, c) })
						require.ErrorIs(t, err, syscall.EINVAL)
						require.NotErrorIs(t, err, net.ErrClosed)
					}
				})
			}
			for name, call := range connValues {
				t.Run("Conn."+name, func(t *testing.T) {
					var v any
					noPanic(t, func() error { v = call(r.conn()); return nil })
					require.True(t, v == zeroOf[name], "got %#v", v)
				})
			}
			for name, call := range listenerErrs {
				t.Run("Listener."+name, func(t *testing.T) {
					l := r.ln()
					for range 2 {
						err := noPanic(t, func() error { return call(t, l) })
						require.ErrorIs(t, err, syscall.EINVAL)
						require.NotErrorIs(t, err, net.ErrClosed)
					}
				})
			}
			for name, call := range listenerValues {
				t.Run("Listener."+name, func(t *testing.T) {
					var v any
					noPanic(t, func() error { v = call(r.ln()); return nil })
					require.True(t, v == zeroOf[name], "got %#v", v)
				})
			}
		})
	}
}

// requireMethods asserts that the two tables name exactly typ's exported
// methods.
func requireMethods[E, V any](t *testing.T, typ reflect.Type, errs map[string]E, values map[string]V) {
	t.Helper()
	var want, got []string
	for i := range typ.NumMethod() {
		want = append(want, typ.Method(i).Name)
	}
	for name := range errs {
		got = append(got, name)
	}
	for name := range values {
		got = append(got, name)
	}
	slices.Sort(got)
	require.Equal(t, want, got, "methods of %v", typ)
}

// noPanic runs f, turning a panic into a test failure.
func noPanic(t *testing.T, f func() error) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic: %v", r)
		}
	}()
	return f()
}
