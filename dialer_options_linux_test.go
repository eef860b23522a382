package sctpdial

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/sctpdial/sctpdial/internal/vmtest"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

type ctxKey struct{}

func TestDialControlHooks(t *testing.T) {
	requireGuest(t)
	accepted, port := listenLocal(t, vmtest.LocalIPv4A, vmtest.LocalIPv6A)
	tests := []struct {
		name        string
		address     string
		wantNetwork string
		wantAddress string
	}{
		{"IPv4 socket", hostPortList(port, vmtest.HostMulti4), "sctp4", hostPortList(port, vmtest.LocalIPv4A, vmtest.LocalIPv4B)},
		{"IPv6 socket", hostPortList(port, vmtest.LocalIPv6A, vmtest.LocalIPv4A), "sctp6", hostPortList(port, vmtest.LocalIPv6A, vmtest.LocalIPv4A)},
	}
	for _, tt := range tests {
		t.Run("Control/"+tt.name, func(t *testing.T) {
			checkNoLeaks(t)
			var gotNet, gotAddr string
			var sockType int
			d := Dialer{Control: func(network, address string, c syscall.RawConn) error {
				gotNet, gotAddr = network, address
				return c.Control(func(fd uintptr) {
					sockType, _ = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TYPE)
				})
			}}
			c, err := d.DialContext(dialCtx(t), "sctp", tt.address)
			require.NoError(t, err)
			c.Close()
			(<-accepted).Close()
			require.Equal(t, tt.wantNetwork, gotNet)
			require.Equal(t, tt.wantAddress, gotAddr)
			require.Equal(t, unix.SOCK_STREAM, sockType)
		})
		t.Run("ControlContext/"+tt.name, func(t *testing.T) {
			checkNoLeaks(t)
			var gotNet, gotAddr string
			var gotValue any
			d := Dialer{
				Control: func(string, string, syscall.RawConn) error {
					t.Error("Control called although ControlContext is set")
					return nil
				},
				ControlContext: func(ctx context.Context, network, address string, c syscall.RawConn) error {
					gotNet, gotAddr, gotValue = network, address, ctx.Value(ctxKey{})
					return nil
				},
			}
			ctx := context.WithValue(dialCtx(t), ctxKey{}, "mark")
			c, err := d.DialContext(ctx, "sctp", tt.address)
			require.NoError(t, err)
			c.Close()
			(<-accepted).Close()
			require.Equal(t, tt.wantNetwork, gotNet)
			require.Equal(t, tt.wantAddress, gotAddr)
			require.Equal(t, "mark", gotValue)
		})
	}
	t.Run("hook error aborts the dial", func(t *testing.T) {
		checkNoLeaks(t)
		boom := errors.New("refused by policy")
		d := Dialer{Control: func(string, string, syscall.RawConn) error { return boom }}
		c, err := d.Dial("sctp", hostPortList(port, vmtest.LocalIPv4A))
		require.Nil(t, c)
		checkDialError(t, err, "sctp")
		require.ErrorIs(t, err, boom)
	})
}

// readInitMsg reads SCTP_INITMSG back from a socket.
func readInitMsg(t *testing.T, c *Conn) sctp.InitMsg {
	var b [8]byte
	var err error
	require.NoError(t, c.rc.Control(func(fd uintptr) {
		_, err = getsockopt(int(fd), solSCTP, sctpInitMsg, b[:])
	}))
	require.NoError(t, err)
	return sctp.InitMsg{
		NumOstreams:    binary.NativeEndian.Uint16(b[0:]),
		MaxInstreams:   binary.NativeEndian.Uint16(b[2:]),
		MaxAttempts:    binary.NativeEndian.Uint16(b[4:]),
		MaxInitTimeout: binary.NativeEndian.Uint16(b[6:]),
	}
}

// readPathParams reads SCTP_PEER_ADDR_PARAMS of the association.
func readPathParams(t *testing.T, c *Conn) paddrParams {
	pp := paddrParams{assoc: c.assoc}
	b := pp.marshal()
	var err error
	require.NoError(t, c.rc.Control(func(fd uintptr) {
		_, err = getsockopt(int(fd), solSCTP, sctpPeerAddrParams, b)
	}))
	require.NoError(t, err)
	pp.unmarshal(b)
	return pp
}

func TestDialSocketOptions(t *testing.T) {
	requireGuest(t)
	_, port := listenLocal(t, vmtest.LocalIPv4A)
	addr := hostPortList(port, vmtest.LocalIPv4A)
	dial := func(t *testing.T, d Dialer) *Conn {
		c, err := d.DialContext(dialCtx(t), "sctp", addr)
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		return c.(*Conn)
	}
	t.Run("InitMsg", func(t *testing.T) {
		want := sctp.InitMsg{NumOstreams: 7, MaxInstreams: 9, MaxAttempts: 3, MaxInitTimeout: 1500}
		c := dial(t, Dialer{InitMsg: want})
		require.Equal(t, want, readInitMsg(t, c))
	})
	t.Run("InitMsg zero fields keep defaults", func(t *testing.T) {
		def := readInitMsg(t, dial(t, Dialer{}))
		got := readInitMsg(t, dial(t, Dialer{InitMsg: sctp.InitMsg{NumOstreams: 5}}))
		require.Equal(t, uint16(5), got.NumOstreams)
		require.Equal(t, def.MaxInstreams, got.MaxInstreams)
		require.Equal(t, def.MaxAttempts, got.MaxAttempts)
		require.NotZero(t, got.MaxAttempts)
	})
	t.Run("KeepAlive sets the heartbeat interval", func(t *testing.T) {
		pp := readPathParams(t, dial(t, Dialer{KeepAlive: 1500 * time.Millisecond}))
		require.Equal(t, uint32(1500), pp.hbInterval)
		require.NotZero(t, pp.flags&sppHBEnable)
	})
	t.Run("KeepAliveConfig wins over KeepAlive", func(t *testing.T) {
		pp := readPathParams(t, dial(t, Dialer{
			KeepAlive:       time.Minute,
			KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: time.Hour, Interval: 1700 * time.Millisecond, Count: 3},
		}))
		require.Equal(t, uint32(1700), pp.hbInterval)
		require.Equal(t, uint16(3), pp.pathMaxRxt)
		require.NotZero(t, pp.flags&sppHBEnable)
	})
	t.Run("KeepAliveConfig.Enable alone turns heartbeats back on", func(t *testing.T) {
		pp := readPathParams(t, dial(t, Dialer{
			PathParams:      PathParams{HeartbeatDisabled: true},
			KeepAliveConfig: net.KeepAliveConfig{Enable: true},
		}))
		require.NotZero(t, pp.flags&sppHBEnable)
		require.NotZero(t, pp.hbInterval, "the kernel's interval stays")
	})
	t.Run("negative KeepAlive disables heartbeats", func(t *testing.T) {
		pp := readPathParams(t, dial(t, Dialer{KeepAlive: -1}))
		require.NotZero(t, pp.flags&sppHBDisable)
		require.Zero(t, pp.flags&sppHBEnable)
	})
	t.Run("zero KeepAlive keeps the kernel default", func(t *testing.T) {
		def, err := os.ReadFile("/proc/sys/net/sctp/hb_interval")
		require.NoError(t, err)
		pp := readPathParams(t, dial(t, Dialer{}))
		require.Equal(t, strings.TrimSpace(string(def)), strconv.Itoa(int(pp.hbInterval)))
	})
	t.Run("NoDelay on by default", func(t *testing.T) {
		c := dial(t, Dialer{})
		var v int
		var err error
		require.NoError(t, c.rc.Control(func(fd uintptr) { v, err = unix.GetsockoptInt(int(fd), solSCTP, sctpNoDelay) }))
		require.NoError(t, err)
		require.Equal(t, 1, v)
	})
}
