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
