package sctpdial

import (
	"errors"
	"net"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAddressChangeError(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  *AddressChangeError
		want []string
	}{
		{"this side", &AddressChangeError{Off: []string{"net.sctp.addip_enable"}},
			[]string{"net.sctp.addip_enable", "Dialer.AddressChanges", "ListenConfig.AddressChanges"}},
		{"peer", &AddressChangeError{Peer: true},
			[]string{"the peer did not negotiate", "net.sctp.auth_enable"}},
		{"unknown", &AddressChangeError{}, []string{"not negotiated"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wrapped := &net.OpError{Op: "set", Net: "sctp", Err: tc.err}
			require.ErrorIs(t, wrapped, ErrNoAddressChanges)
			var ace *AddressChangeError
			require.True(t, errors.As(wrapped, &ace))
			for _, w := range tc.want {
				require.Contains(t, wrapped.Error(), w)
			}
		})
	}
	require.NotErrorIs(t, errors.New("other"), ErrNoAddressChanges)
}
