package sctpdial

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFeaturesString(t *testing.T) {
	for _, tt := range []struct {
		f    Features
		want string
	}{
		{Features{}, "none"},
		{Features{PartialReliability: true, ECN: true}, "PR-SCTP ECN"},
		{Features{StreamReconfig: true, Interleaving: true, ASCONF: true, AUTH: true}, "RECONFIG I-DATA ASCONF AUTH"},
		{Features{ECN: true, Unknown: []string{"ASCONF", "AUTH"}}, "ECN (unknown: ASCONF AUTH)"},
	} {
		require.Equal(t, tt.want, tt.f.String())
	}
}
