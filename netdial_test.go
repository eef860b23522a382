package sctpdial

import (
	"net"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDialerMirrorsNetDialer keeps Dialer a drop-in: every exported field
// and method of net.Dialer exists here with the same type, so code written
// against net.Dialer compiles unchanged. It fails when Go adds one.
func TestDialerMirrorsNetDialer(t *testing.T) {
	theirs, ours := reflect.TypeFor[net.Dialer](), reflect.TypeFor[Dialer]()
	for i := range theirs.NumField() {
		f := theirs.Field(i)
		if !f.IsExported() {
			continue
		}
		g, ok := ours.FieldByName(f.Name)
		require.True(t, ok, "Dialer lacks net.Dialer's field %s", f.Name)
		require.Equal(t, f.Type, g.Type, "field %s", f.Name)
	}
	theirsPtr, oursPtr := reflect.PointerTo(theirs), reflect.PointerTo(ours)
	for i := range theirsPtr.NumMethod() {
		m := theirsPtr.Method(i)
		g, ok := oursPtr.MethodByName(m.Name)
		require.True(t, ok, "Dialer lacks net.Dialer's method %s", m.Name)
		// Same parameters and results, except that our receiver differs
		// and DialContext/Dial return net.Conn either way.
		require.Equal(t, m.Type.NumIn(), g.Type.NumIn(), "method %s", m.Name)
		for j := 1; j < m.Type.NumIn(); j++ {
			require.Equal(t, m.Type.In(j), g.Type.In(j), "method %s parameter %d", m.Name, j)
		}
		require.Equal(t, m.Type.NumOut(), g.Type.NumOut(), "method %s", m.Name)
		for j := range m.Type.NumOut() {
			require.Equal(t, m.Type.Out(j), g.Type.Out(j), "method %s result %d", m.Name, j)
		}
	}
}

// TestDelegatedDialCancelNoLeak: a Cancel channel that is never closed
// must not leave a goroutine behind per delegated dial.
func TestDelegatedDialCancelNoLeak(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	checkNoLeaks(t)
	d := Dialer{Cancel: make(chan struct{})}
	for range 20 {
		c, err := d.Dial("tcp", ln.Addr().String())
		require.NoError(t, err)
		require.IsType(t, &net.TCPConn{}, c)
		c.Close()
	}
}
