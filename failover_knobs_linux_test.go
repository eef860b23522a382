package sctpdial

import (
	"context"
	"encoding/binary"
	"net"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/sctpdial/sctpdial/internal/vmtest"
	"github.com/stretchr/testify/require"
)

// The layout of struct sctp_paddrthlds_v2 follows the word size: the
// address is aligned like a pointer.
func TestThresholdsLayout(t *testing.T) {
	want := map[uintptr][3]int{8: {8, 136, 144}, 4: {4, 132, 140}}[unsafe.Sizeof(uintptr(0))]
	require.Equal(t, want, [3]int{thldsAddrOff, thldsTailOff, sizeofThlds2})
	b := marshalThresholds(0x11223344, PathThresholds{PathMaxRetrans: 0x5566, PFThreshold: 0x7788, SwitchoverThreshold: 0x99aa})
	require.Len(t, b, sizeofThlds2)
	require.Equal(t, uint32(0x11223344), binary.NativeEndian.Uint32(b))
	require.Equal(t, make([]byte, 128), b[thldsAddrOff:thldsTailOff], "every path: no address")
	require.Equal(t, PathThresholds{PathMaxRetrans: 0x5566, PFThreshold: 0x7788, SwitchoverThreshold: 0x99aa}, unmarshalThresholds(b))
}

// failoverPair dials a listener on the guest's two dummy0 addresses, both
// ends with their own Failover, and returns the dialed and accepted Conns.
func failoverPair(t *testing.T, dial, listen Failover) (c, peer *Conn) {
	t.Helper()
	lc := ListenConfig{InitMsg: peerInitMsg, Failover: listen}
	ln, err := lc.ListenSCTP(context.Background(), "sctp", hostPortList(0, vmtest.LocalIPv4A, vmtest.LocalIPv4B))
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	d := Dialer{InitMsg: peerInitMsg, Failover: dial, Timeout: 10 * time.Second}
	c, err = d.DialSCTP(context.Background(), "sctp", ln.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	peer, err = ln.AcceptSCTP()
	require.NoError(t, err)
	t.Cleanup(func() { peer.Close() })
	return c, peer
}

// readFailover reads back everything a Failover sets.
func readFailover(t *testing.T, c *Conn) (RTOInfo, PathParams, PathThresholds, AssocParams, PFExpose) {
	t.Helper()
	rto, err := c.RTOInfo()
	require.NoError(t, err)
	pp, err := c.PathParams()
	require.NoError(t, err)
	th, err := c.PathThresholds()
	require.NoError(t, err)
	ap, err := c.AssocParams()
	require.NoError(t, err)
	e, err := c.PFExpose()
	require.NoError(t, err)
	return rto, pp, th, ap, e
}

// Every knob of a Failover given to the Dialer and the ListenConfig reads
// back from the kernel on both associations.
func TestFailoverKnobsReadBack(t *testing.T) {
	requireGuest(t)
	f := Failover{
		RTO:               RTOInfo{Initial: 400 * time.Millisecond, Max: 800 * time.Millisecond, Min: 50 * time.Millisecond},
		HeartbeatInterval: 700 * time.Millisecond,
		Thresholds:        &PathThresholds{PathMaxRetrans: 3, PFThreshold: 1, SwitchoverThreshold: 2},
		AssocMaxRetrans:   6,
		ExposePF:          PFExposeOn,
	}
	c, peer := failoverPair(t, f, f)
	for name, conn := range map[string]*Conn{"dialed": c, "accepted": peer} {
		rto, pp, th, ap, e := readFailover(t, conn)
		// The association keeps its RTOs in jiffies: 50 ms is 13 ticks
		// of 4 ms at HZ=250, 52 ms.
		require.Equal(t, 400*time.Millisecond, rto.Initial, name)
		require.Equal(t, 800*time.Millisecond, rto.Max, name)
		require.Contains(t, []time.Duration{50 * time.Millisecond, 52 * time.Millisecond}, rto.Min, name)
		require.Equal(t, 700*time.Millisecond, pp.HeartbeatInterval, name)
		require.False(t, pp.HeartbeatDisabled, name)
		require.Equal(t, uint16(3), pp.PathMaxRetrans, name)
		require.Equal(t, *f.Thresholds, th, name)
		require.Equal(t, uint16(6), ap.MaxRetrans, name)
		require.Equal(t, uint16(2), ap.PeerDestinations, name)
		require.NotZero(t, ap.PeerRWND, name)
		require.NotZero(t, ap.LocalRWND, name)
		require.Equal(t, PFExposeOn, e, name)
		t.Logf("%s: rto %+v, hb %v, thresholds %+v, assoc %+v, expose %v", name, rto, pp.HeartbeatInterval, th, ap, e)
	}
}

// The kernel's defaults, as a Failover's zero value leaves them.
func TestFailoverDefaults(t *testing.T) {
	requireGuest(t)
	c, _ := failoverPair(t, Failover{}, Failover{})
	rto, pp, th, ap, e := readFailover(t, c)
	t.Logf("defaults: rto %+v, hb %v, thresholds %+v, assoc %+v, expose %v", rto, pp.HeartbeatInterval, th, ap, e)
	// net.sctp.path_max_retrans 5, pf_retrans 0, ps_retrans 0xffff,
	// association_max_retrans 10, pf_expose 0.
	require.Equal(t, PathThresholds{PathMaxRetrans: 5, PFThreshold: 0, SwitchoverThreshold: NoSwitchover}, th)
	require.Equal(t, uint16(10), ap.MaxRetrans)
	require.Equal(t, PFExposeDefault, e)
	require.Equal(t, 3*time.Second, rto.Initial)
}

// FailoverWithin's values read back as the formula says.
func TestFailoverWithinReadBack(t *testing.T) {
	requireGuest(t)
	c, peer := failoverPair(t, FailoverWithin(time.Second), FailoverWithin(time.Second))
	for _, conn := range []*Conn{c, peer} {
		rto, pp, th, ap, e := readFailover(t, conn)
		require.Equal(t, RTOInfo{Initial: 500 * time.Millisecond, Max: 500 * time.Millisecond, Min: 252 * time.Millisecond}, rto,
			"250 ms is 62.5 ticks of 4 ms at HZ=250: 63 ticks")
		require.Equal(t, 500*time.Millisecond, pp.HeartbeatInterval)
		require.Equal(t, PathThresholds{PathMaxRetrans: 2}, th)
		require.Equal(t, uint16(4), ap.MaxRetrans)
		require.Equal(t, PFExposeOn, e)
	}
}

// SetFailover on a live association: every knob reads back.
func TestSetFailoverLive(t *testing.T) {
	requireGuest(t)
	c, _ := failoverPair(t, Failover{}, Failover{})
	require.NoError(t, c.SetFailover(FailoverWithin(800*time.Millisecond)))
	rto, pp, th, ap, e := readFailover(t, c)
	require.Equal(t, RTOInfo{Initial: 400 * time.Millisecond, Max: 400 * time.Millisecond, Min: 252 * time.Millisecond}, rto)
	require.Equal(t, 400*time.Millisecond, pp.HeartbeatInterval)
	require.Equal(t, PathThresholds{PathMaxRetrans: 2}, th)
	require.Equal(t, uint16(4), ap.MaxRetrans, "the thresholds are set first: 2 paths × 2 allow 4")
	require.Equal(t, PFExposeOn, e)
}

// The kernel's own checks, as a live association meets them.
func TestFailoverKernelLimits(t *testing.T) {
	requireGuest(t)
	c, _ := failoverPair(t, Failover{}, Failover{})
	require.NoError(t, c.SetPathThresholds(PathThresholds{PathMaxRetrans: 2, PFThreshold: 1, SwitchoverThreshold: 1}))

	// Two paths with PathMaxRetrans 2: the association's limit may be 4,
	// not 5 (sctp_setsockopt_associnfo sums the paths').
	require.NoError(t, c.SetFailover(Failover{AssocMaxRetrans: 4}))
	err := c.SetFailover(Failover{AssocMaxRetrans: 5})
	require.ErrorIs(t, err, syscall.EINVAL)
	ap, err := c.AssocParams()
	require.NoError(t, err)
	require.Equal(t, uint16(4), ap.MaxRetrans, "a refused limit leaves the old one")

	// PF threshold above the switch-over threshold: EINVAL.
	err = c.SetPathThresholds(PathThresholds{PFThreshold: 3, SwitchoverThreshold: 2})
	require.ErrorIs(t, err, syscall.EINVAL)
	// Above PathMaxRetrans is accepted: the path then never becomes PF.
	require.NoError(t, c.SetPathThresholds(PathThresholds{PFThreshold: 4, SwitchoverThreshold: NoSwitchover}))
	th, err := c.PathThresholds()
	require.NoError(t, err)
	require.Equal(t, PathThresholds{PathMaxRetrans: 2, PFThreshold: 4, SwitchoverThreshold: NoSwitchover}, th,
		"a zero PathMaxRetrans keeps the current one")

	require.ErrorIs(t, c.SetFailover(Failover{ExposePF: 3}), syscall.EINVAL)
	require.NoError(t, c.SetFailover(Failover{ExposePF: PFExposeOff}))
	e, err := c.PFExpose()
	require.NoError(t, err)
	require.Equal(t, PFExposeOff, e)
	require.ErrorIs(t, c.SetFailover(Failover{HeartbeatInterval: -time.Second}), errNegativeDuration)

	require.NoError(t, c.Close())
	_, err = c.PathThresholds()
	require.ErrorIs(t, err, net.ErrClosed)
}
