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
	"github.com/sctpdial/sctpdial/internal/vmtest"
	"github.com/stretchr/testify/require"
)

// requireSCTP skips a test that needs kernel SCTP where the kernel lacks it,
// unless the environment says SCTP must be there (the vmexec runner sets
// SCTPDIAL_REQUIRE_SCTP=1, natively and in the guest): then it fails, so a
// run through the runner can never pass by skipping.
func requireSCTP(t testing.TB) {
	t.Helper()
	ok, err := vmtest.HostHasSCTP()
	if ok {
		return
	}
	if vmtest.SCTPRequired() {
		t.Fatalf("kernel SCTP is required here (%s=1) but socket(IPPROTO_SCTP) failed: %v", vmtest.EnvRequireSCTP, err)
	}
	t.Skipf("kernel SCTP unavailable (%v): load it with `modprobe sctp`, or run the tests in the guest with scripts/test.sh", err)
}

// requireGuest is requireSCTP plus the guest's fixtures (dummy0 addresses,
// silent routes, /etc/hosts names; see internal/vmtest/fixtures.go).
func requireGuest(t testing.TB) {
	t.Helper()
	requireSCTP(t)
	if !vmtest.InGuest() {
		t.Skip("needs the guest's network fixtures: run through scripts/test.sh")
	}
}

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
