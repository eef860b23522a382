//go:build linux

package sctpdial

import (
	"context"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/sctpdial/sctpdial/internal/vmtest"
	"github.com/stretchr/testify/require"
)

func TestStatus(t *testing.T) {
	requireSCTP(t)
	// The peer offers 10 streams each way (peerInitMsg); we ask for 5 out.
	c, _ := dialIshi(t, &Dialer{InitMsg: sctp.InitMsg{NumOstreams: 5}}, "127.0.0.1")
	s, err := c.Status()
	require.NoError(t, err)
	t.Logf("%+v", s)
	require.Equal(t, StateEstablished, s.State)
	require.Equal(t, "ESTABLISHED", s.State.String())
	require.Equal(t, uint16(5), s.OutStreams)
	require.Equal(t, uint16(10), s.InStreams)
	require.NotZero(t, s.PeerRWND)
	require.NotZero(t, s.FragmentationPoint)
	if c.AssocID() != 0 {
		require.Equal(t, c.AssocID(), s.AssocID)
	}
	require.Equal(t, "127.0.0.1", s.Primary.Addr.IP.String())
	require.Equal(t, PathActive, s.Primary.State)
	require.Positive(t, s.Primary.RTO)
	require.NotZero(t, s.Primary.MTU)
	require.NotZero(t, s.Primary.Cwnd)

	paths, err := c.Paths()
	require.NoError(t, err)
	require.Len(t, paths, 1)
	require.Equal(t, "127.0.0.1", paths[0].Addr.IP.String())
	require.Equal(t, PathActive, paths[0].State)
	require.Equal(t, s.Primary.RTO, paths[0].RTO)
	require.Equal(t, s.Primary.MTU, paths[0].MTU)
}

// TestPathsMultihomed: a peer on two addresses gives two paths; moving the
// primary with SetPrimaryAddr shows in Status and as a PeerAddrChange.
func TestPathsMultihomed(t *testing.T) {
	requireGuest(t)
	c, _ := dialIshi(t, nil, vmtest.LocalIPv4A, vmtest.LocalIPv4B)

	paths, err := c.Paths()
	require.NoError(t, err)
	t.Logf("%+v", paths)
	got := map[string]PathInfo{}
	for _, p := range paths {
		got[p.Addr.IP.String()] = p
		require.Positive(t, p.RTO)
		require.NotZero(t, p.MTU)
		// A path the INIT did not go to waits for a HEARTBEAT to confirm it.
		require.Contains(t, []PathState{PathActive, PathUnconfirmed}, p.State, "%v", p.Addr)
	}
	require.Len(t, got, 2)
	require.Contains(t, got, vmtest.LocalIPv4A)
	require.Contains(t, got, vmtest.LocalIPv4B)

	s, err := c.Status()
	require.NoError(t, err)
	require.Equal(t, vmtest.LocalIPv4A, s.Primary.Addr.IP.String(), "the INIT went to the first address")

	events := make(chan Notification, 8)
	require.NoError(t, c.SetNotificationHandler(EventPeerAddrChange, func(n Notification) { events <- n }))
	require.NoError(t, c.SetPrimaryAddr(net.ParseIP(vmtest.LocalIPv4B)))
	s, err = c.Status()
	require.NoError(t, err)
	require.Equal(t, vmtest.LocalIPv4B, s.Primary.Addr.IP.String())

	// The notification is delivered by a reader: Read until the deadline.
	require.NoError(t, c.SetReadDeadline(time.Now().Add(300*time.Millisecond)))
	_, err = c.Read(make([]byte, 64))
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	var made *PeerAddrChange
	for len(events) > 0 {
		if pc, ok := (<-events).(PeerAddrChange); ok && pc.State == AddrMadePrimary {
			made = &pc
		}
	}
	require.NotNil(t, made, "no SCTP_ADDR_MADE_PRIM notification")
	require.Equal(t, vmtest.LocalIPv4B, made.Addr.IP.String())

	err = c.SetPrimaryAddr(net.ParseIP("192.0.2.99"))
	require.ErrorIs(t, err, syscall.EINVAL, "not a peer address")
	require.ErrorContains(t, err, "192.0.2.99 is not a peer address of this association (peers: ")
}

func TestRTOInfoRoundTrip(t *testing.T) {
	requireSCTP(t)
	c, _ := dialIshi(t, nil, "127.0.0.1")
	def, err := c.RTOInfo()
	require.NoError(t, err)
	t.Logf("defaults: %+v", def)
	require.Positive(t, def.Initial)

	// Multiples of 4 ms survive the kernel's ms → jiffies → ms trip at
	// HZ 100, 250 and 1000.
	want := RTOInfo{Initial: 500 * time.Millisecond, Max: 4 * time.Second, Min: 200 * time.Millisecond}
	require.NoError(t, c.SetRTOInfo(want))
	got, err := c.RTOInfo()
	require.NoError(t, err)
	require.Equal(t, want, got)

	require.NoError(t, c.SetRTOInfo(RTOInfo{Max: 8 * time.Second}))
	got, err = c.RTOInfo()
	require.NoError(t, err)
	want.Max = 8 * time.Second
	require.Equal(t, want, got, "zero fields keep their values")

	err = c.SetRTOInfo(RTOInfo{Min: 10 * time.Second, Max: time.Second})
	require.ErrorIs(t, err, syscall.EINVAL, "min above max")
	err = c.SetRTOInfo(RTOInfo{Min: -time.Second})
	require.ErrorIs(t, err, errNegativeDuration)
}

func TestPathParamsRoundTrip(t *testing.T) {
	requireSCTP(t)
	c, _ := dialIshi(t, nil, "127.0.0.1")
	def, err := c.PathParams()
	require.NoError(t, err)
	t.Logf("defaults: %+v", def)
	require.NotZero(t, def.PathMTU)

	require.NoError(t, c.SetPathParams(PathParams{HeartbeatInterval: 7 * time.Second, PathMaxRetrans: 4}))
	got, err := c.PathParams()
	require.NoError(t, err)
	require.Equal(t, PathParams{HeartbeatInterval: 7 * time.Second, PathMaxRetrans: 4, PathMTU: def.PathMTU}, got)

	require.NoError(t, c.SetPathParams(PathParams{HeartbeatDisabled: true}))
	got, err = c.PathParams()
	require.NoError(t, err)
	require.Equal(t, PathParams{HeartbeatInterval: 7 * time.Second, HeartbeatDisabled: true, PathMaxRetrans: 4, PathMTU: def.PathMTU}, got)

	require.NoError(t, c.SetPathParams(PathParams{HeartbeatInterval: 2 * time.Second}))
	got, err = c.PathParams()
	require.NoError(t, err)
	require.False(t, got.HeartbeatDisabled)
	require.Equal(t, 2*time.Second, got.HeartbeatInterval)
	require.Equal(t, uint16(4), got.PathMaxRetrans)
}

// TestOptionsBeforeConnect sets Dialer.RTO and Dialer.PathParams, which
// are applied with association id 0 before connectx: the association
// inherits them.
func TestOptionsBeforeConnect(t *testing.T) {
	requireSCTP(t)
	rto := RTOInfo{Initial: 400 * time.Millisecond, Max: 2 * time.Second, Min: 100 * time.Millisecond}
	pp := PathParams{HeartbeatInterval: 5 * time.Second, PathMaxRetrans: 3}
	d := &Dialer{RTO: rto, PathParams: pp}
	c, _ := dialIshi(t, d, "127.0.0.1")
	got, err := c.RTOInfo()
	require.NoError(t, err)
	require.Equal(t, rto, got)
	gotPP, err := c.PathParams()
	require.NoError(t, err)
	require.Equal(t, pp.HeartbeatInterval, gotPP.HeartbeatInterval)
	require.Equal(t, pp.PathMaxRetrans, gotPP.PathMaxRetrans)
	require.False(t, gotPP.HeartbeatDisabled)
}

// TestListenConfigPathOptions checks that accepted associations inherit
// ListenConfig.RTO and ListenConfig.PathParams from the listening endpoint.
func TestListenConfigPathOptions(t *testing.T) {
	requireSCTP(t)
	rto := RTOInfo{Initial: 700 * time.Millisecond, Max: 3 * time.Second, Min: 200 * time.Millisecond}
	pp := PathParams{HeartbeatInterval: 7 * time.Second, PathMaxRetrans: 4}
	lc := ListenConfig{InitMsg: peerInitMsg, RTO: rto, PathParams: pp}
	ln, err := lc.ListenSCTP(context.Background(), "sctp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	c, err := Dial("sctp", ln.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	ac, err := ln.AcceptSCTP()
	require.NoError(t, err)
	defer ac.Close()
	got, err := ac.RTOInfo()
	require.NoError(t, err)
	require.Equal(t, rto, got)
	gotPP, err := ac.PathParams()
	require.NoError(t, err)
	require.Equal(t, pp.HeartbeatInterval, gotPP.HeartbeatInterval)
	require.Equal(t, pp.PathMaxRetrans, gotPP.PathMaxRetrans)
}
