package sctpdial

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sctpdial/sctpdial/internal/vmtest"
	"github.com/stretchr/testify/require"
)

// kernelRTOInitial reads net.sctp.rto_initial.
func kernelRTOInitial(t *testing.T) time.Duration {
	b, err := os.ReadFile("/proc/sys/net/sctp/rto_initial")
	require.NoError(t, err)
	ms, err := strconv.Atoi(strings.TrimSpace(string(b)))
	require.NoError(t, err)
	return time.Duration(ms) * time.Millisecond
}

// endpointRTO is a Control hook that records the socket's initial RTO and
// INIT attempts as the kernel holds them just before connecting.
type endpointRTO struct {
	initial  time.Duration
	attempts uint16
	err      error // returned by the hook, to stop the dial there
}

func (e *endpointRTO) control(_, _ string, c syscall.RawConn) error {
	var err error
	if cerr := c.Control(func(fd uintptr) {
		var r RTOInfo
		if r, err = getRTOInfo(int(fd), 0); err != nil {
			return
		}
		e.initial = r.Initial
		var b [8]byte
		if _, err = getsockopt(int(fd), solSCTP, sctpInitMsg, b[:]); err == nil {
			e.attempts = binary.NativeEndian.Uint16(b[4:])
		}
	}); cerr != nil {
		return cerr
	}
	if err != nil {
		return err
	}
	return e.err
}

// TestDialInitPacing: a 3 s dial whose first address is silent reaches the
// second one well within its deadline, and the association keeps the
// kernel's initial RTO afterwards.
func TestDialInitPacing(t *testing.T) {
	requireGuest(t)
	def := kernelRTOInitial(t)
	require.Equal(t, 3*time.Second, def, "the guest's default net.sctp.rto_initial")
	for _, tt := range []struct{ name, addr string }{
		{"literals", vmtest.SilentIPv4 + "," + vmtest.LocalIPv4A},
		{"records of one name", vmtest.HostSilentFirst},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkNoLeaks(t)
			_, port := listenLocal(t, vmtest.LocalIPv4A)
			var seen endpointRTO
			d := Dialer{Timeout: 3 * time.Second, Control: seen.control}
			start := time.Now()
			c, err := d.DialSCTP(context.Background(), "sctp", hostPortList(port, tt.addr))
			elapsed := time.Since(start)
			require.NoError(t, err)
			defer c.Close()
			t.Logf("connected after %v, paced initial RTO %v", elapsed, seen.initial)
			// About 3 s ÷ 3, the time left when the socket was set up.
			require.InDelta(t, float64(time.Second), float64(seen.initial), float64(100*time.Millisecond))
			require.GreaterOrEqual(t, elapsed, 850*time.Millisecond, "the first INIT went to the silent address")
			require.Less(t, elapsed, 2*time.Second, "the second address got its INIT one paced RTO later")
			require.Contains(t, addrIPs(c.RemoteAddr()), vmtest.LocalIPv4A)
			r, err := c.RTOInfo()
			require.NoError(t, err)
			require.Equal(t, def, r.Initial, "the association's initial RTO is restored")
		})
	}
}

func TestDialInitPacingKeepsKernelBehaviour(t *testing.T) {
	requireGuest(t)
	def := kernelRTOInitial(t)
	accepted, port := listenLocal(t, vmtest.LocalIPv4A)
	silentThenLive := hostPortList(port, vmtest.SilentIPv4, vmtest.LocalIPv4A)

	t.Run("single address", func(t *testing.T) {
		checkNoLeaks(t)
		var seen endpointRTO
		d := Dialer{Timeout: 3 * time.Second, Control: seen.control}
		c, err := d.DialSCTP(context.Background(), "sctp", hostPortList(port, vmtest.LocalIPv4A))
		require.NoError(t, err)
		defer c.Close()
		defer (<-accepted).Close()
		require.Equal(t, def, seen.initial, "not paced")
		r, err := c.RTOInfo()
		require.NoError(t, err)
		require.Equal(t, def, r.Initial)
	})
	t.Run("no deadline", func(t *testing.T) {
		checkNoLeaks(t)
		stop := errors.New("stop before connecting")
		seen := endpointRTO{err: stop}
		d := Dialer{Control: seen.control}
		_, err := d.DialSCTP(context.Background(), "sctp", silentThenLive)
		require.ErrorIs(t, err, stop)
		require.Equal(t, def, seen.initial)
	})
	t.Run("DisableInitPacing", func(t *testing.T) {
		checkNoLeaks(t)
		var seen endpointRTO
		d := Dialer{Timeout: 1500 * time.Millisecond, DisableInitPacing: true, Control: seen.control}
		c, err := d.DialSCTP(context.Background(), "sctp", silentThenLive)
		require.Nil(t, c)
		checkDialError(t, err, "sctp")
		require.ErrorIs(t, err, os.ErrDeadlineExceeded, "the kernel's 3 s initial RTO never reaches the second address")
		require.Equal(t, def, seen.initial)
	})
	t.Run("RTO.Initial set", func(t *testing.T) {
		checkNoLeaks(t)
		stop := errors.New("stop before connecting")
		seen := endpointRTO{err: stop}
		d := Dialer{Timeout: 3 * time.Second, RTO: RTOInfo{Initial: 2 * time.Second}, Control: seen.control}
		_, err := d.DialSCTP(context.Background(), "sctp", silentThenLive)
		require.ErrorIs(t, err, stop)
		require.Equal(t, 2*time.Second, seen.initial)
	})
	t.Run("a hook's RTO is kept", func(t *testing.T) {
		checkNoLeaks(t)
		d := Dialer{Timeout: 3 * time.Second, Control: func(_, _ string, c syscall.RawConn) error {
			var err error
			cerr := c.Control(func(fd uintptr) { err = setRTOInfo(int(fd), 0, RTOInfo{Initial: 400 * time.Millisecond}) })
			return errors.Join(cerr, err)
		}}
		start := time.Now()
		c, err := d.DialSCTP(context.Background(), "sctp", silentThenLive)
		require.NoError(t, err)
		defer c.Close()
		defer (<-accepted).Close()
		require.Less(t, time.Since(start), 900*time.Millisecond, "the hook's 400 ms governed the INIT")
		r, err := c.RTOInfo()
		require.NoError(t, err)
		require.Equal(t, 400*time.Millisecond, r.Initial, "not restored over the hook's choice")
	})
	t.Run("enough INIT attempts for every address", func(t *testing.T) {
		checkNoLeaks(t)
		hosts := make([]string, 0, 12)
		for i := 1; i <= 11; i++ {
			hosts = append(hosts, fmt.Sprintf("203.0.113.%d", i))
		}
		hosts = append(hosts, vmtest.LocalIPv4A)
		stop := errors.New("stop before connecting")
		seen := endpointRTO{err: stop}
		d := Dialer{Timeout: 13 * time.Second, Control: seen.control}
		_, err := d.DialSCTP(context.Background(), "sctp", hostPortList(port, hosts...))
		require.ErrorIs(t, err, stop)
		require.InDelta(t, float64(time.Second), float64(seen.initial), float64(20*time.Millisecond))
		require.Equal(t, uint16(11), seen.attempts, "1 + 11 INITs reach all 12 addresses")
	})
}
