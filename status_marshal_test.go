//go:build linux

package sctpdial

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/stretchr/testify/require"
)

// TestUnmarshalStatus lays out struct sctp_status through
// ishidawataru/sctp's Status, whose Go layout is the kernel's, and reads it
// back.
func TestUnmarshalStatus(t *testing.T) {
	var st sctp.Status
	st.AssocID = 12
	st.State = 4 // SCTP_ESTABLISHED in linux/sctp.h (ishidawataru/sctp names differ)
	st.RWND = 106496
	st.Unackdata, st.Penddata = 2, 1
	st.Instreams, st.Ostreams = 10, 5
	st.FragmentationPoint = 65484
	st.PrimaryPeerAddr = sctp.PeerAddrinfo{AssocID: 12, State: 2, CWND: 4380, SRTT: 7, RTO: 3000, MTU: 65520}
	sa, err := packSockaddrs([]netip.Addr{netip.MustParseAddr("192.0.2.250")}, 9)
	require.NoError(t, err)
	copy(st.PrimaryPeerAddr.Address[:], sa)

	got := unmarshalStatus(rawBytesOf(&st))
	require.True(t, got.Primary.Addr.IP.Equal(net.ParseIP("192.0.2.250")), "%v", got.Primary.Addr)
	got.Primary.Addr = net.IPAddr{}
	require.Equal(t, Status{
		AssocID: 12, State: StateEstablished, PeerRWND: 106496, Unacked: 2, Pending: 1,
		InStreams: 10, OutStreams: 5, FragmentationPoint: 65484,
		Primary: PathInfo{State: PathActive, Cwnd: 4380, SRTTRaw: 7, RTO: 3 * time.Second, MTU: 65520},
	}, got)
}

func TestStateStrings(t *testing.T) {
	tests := []struct {
		s    interface{ String() string }
		want string
	}{
		{StateEstablished, "ESTABLISHED"},
		{StateShutdownAckSent, "SHUTDOWN_ACK_SENT"},
		{AssocState(42), "AssocState(42)"},
		{PathActive, "ACTIVE"},
		{PathPF, "PF"},
		{PathUnconfirmed, "UNCONFIRMED"},
		{PathInactive, "INACTIVE"},
		{PathUnknown, "UNKNOWN"},
		{PathState(7), "PathState(7)"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.s.String())
	}
}
