package sctpdial

import (
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func TestHookNetwork(t *testing.T) {
	require.Equal(t, "sctp4", hookNetwork(unix.AF_INET))
	require.Equal(t, "sctp6", hookNetwork(unix.AF_INET6))
}
