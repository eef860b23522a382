package sctpdial

import (
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/sctpdial/sctpdial/sctptest"
	"github.com/stretchr/testify/require"
)

// requireSCTP and requireGuest are sctptest's RequireSCTP and
// RequireGuest: they skip where kernel SCTP (or the guest's fixtures, see
// internal/vmtest/fixtures.go) is missing, but fail when the runner says
// SCTP must be there, so a run through scripts/test.sh can never pass by
// skipping.
var (
	requireSCTP  = sctptest.RequireSCTP
	requireGuest = sctptest.RequireGuest
)

// peerInitMsg keeps test peers cheap: ishidawataru/sctp asks for 65,535
// streams by default, which makes every handshake ~10x slower under TCG.
var peerInitMsg = sctp.InitMsg{NumOstreams: 10, MaxInstreams: 10}

// listenPeer starts an ishidawataru/sctp listener on ips (port chosen by
// the kernel) and returns it with its port.
func listenPeer(t testing.TB, ips ...string) (*sctp.SCTPListener, int) {
	t.Helper()
	la := &sctp.SCTPAddr{}
	for _, ip := range ips {
		la.IPAddrs = append(la.IPAddrs, net.IPAddr{IP: net.ParseIP(ip)})
	}
	ln, err := sctp.ListenSCTPExt("sctp", la, peerInitMsg)
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	port := ln.Addr().(*sctp.SCTPAddr).Port
	require.NotZero(t, port)
	return ln, port
}

// hostPortList joins hosts for a dial address.
func hostPortList(port int, hosts ...string) string {
	for i, h := range hosts {
		if strings.Contains(h, ":") {
			hosts[i] = "[" + h + "]"
		}
	}
	return strings.Join(hosts, ",") + ":" + strconv.Itoa(port)
}

// checkNoLeaks records descriptors and goroutines now and, at cleanup,
// fails if either grew (after giving exiting goroutines a moment).
func checkNoLeaks(t *testing.T) {
	t.Helper()
	fds, g := countFDs(t), runtime.NumGoroutine()
	t.Cleanup(func() {
		var nfds, ng int
		for range 100 {
			nfds, ng = countFDs(t), runtime.NumGoroutine()
			if nfds <= fds && ng <= g {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Errorf("leak: descriptors %d → %d, goroutines %d → %d", fds, nfds, g, ng)
	})
}

func countFDs(t testing.TB) int {
	ents, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	return len(ents)
}
