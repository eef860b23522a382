package sctpdial

import (
	"net"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAddressChangeError: the error matches ErrNoAddressChanges through
// the *net.OpError the Conn methods wrap it in, and says what to switch on.
func TestAddressChangeError(t *testing.T) {
	cases := map[string]struct {
		err  *AddressChangeError
		want []string
	}{
		"this side": {&AddressChangeError{Off: []string{"net.sctp.addip_enable"}},
			[]string{"net.sctp.addip_enable", "Dialer.AddressChanges", "ListenConfig.AddressChanges"}},
		"peer":    {&AddressChangeError{Peer: true}, []string{"the peer did not negotiate", "net.sctp.auth_enable"}},
		"unknown": {&AddressChangeError{}, []string{"not negotiated"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			wrapped := &net.OpError{Op: "set", Net: "sctp", Err: tc.err}
			require.ErrorIs(t, wrapped, ErrNoAddressChanges)
			var ace *AddressChangeError
			require.ErrorAs(t, wrapped, &ace)
			for _, w := range tc.want {
				require.Contains(t, wrapped.Error(), w)
			}
		})
	}
	require.NotErrorIs(t, &net.AddrError{Err: "other"}, ErrNoAddressChanges)
}

// TestPeerAddrStates: every state of enum sctp_spc_state (linux/sctp.h)
// has its value and its name.
func TestPeerAddrStates(t *testing.T) {
	names := []string{"ADDR_AVAILABLE", "ADDR_UNREACHABLE", "ADDR_REMOVED", "ADDR_ADDED",
		"ADDR_MADE_PRIM", "ADDR_CONFIRMED", "ADDR_POTENTIALLY_FAILED"}
	states := []PeerAddrState{AddrAvailable, AddrUnreachable, AddrRemoved, AddrAdded,
		AddrMadePrimary, AddrConfirmed, AddrPotentiallyFailed}
	for i, st := range states {
		require.Equal(t, PeerAddrState(i), st, names[i])
		require.Equal(t, names[i], st.String())
	}
	require.Equal(t, "PeerAddrState(7)", PeerAddrState(7).String())
}
