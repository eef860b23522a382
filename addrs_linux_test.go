package sctpdial

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ishidawataru/sctp"
	"github.com/stretchr/testify/require"
)

// TestManyAddresses binds and dials more addresses than getAddrs' first
// buffer holds, so both address lists are read through its ENOMEM retry.
func TestManyAddresses(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	var ips []string
	for i := 1; i <= 20; i++ {
		ips = append(ips, fmt.Sprintf("127.0.0.%d", i))
	}
	ln, err := Listen("sctp", strings.Join(ips, ",")+":0")
	require.NoError(t, err)
	defer ln.Close()
	la := ln.Addr().(*sctp.SCTPAddr)
	require.ElementsMatch(t, ips, addrIPs(la))

	c, err := Dial("sctp", hostPortList(la.Port, ips...))
	require.NoError(t, err)
	defer c.Close()
	ac, err := ln.Accept()
	require.NoError(t, err)
	defer ac.Close()
	require.ElementsMatch(t, ips, addrIPs(c.RemoteAddr()))
	require.ElementsMatch(t, ips, addrIPs(ac.LocalAddr()))
}
