package sctpdial

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/sctpdial/sctpdial/internal/vmtest"
	"github.com/stretchr/testify/require"
)

// osThreads reads the process's thread count from /proc/self/status.
func osThreads(t testing.TB) int { return procStatus(t, "Threads") }

// procStatus reads the number in a field of /proc/self/status ("Threads",
// or "VmRSS" in kB).
func procStatus(t testing.TB, field string) int {
	f, err := os.Open("/proc/self/status")
	require.NoError(t, err)
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), field+":"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			require.NoError(t, err)
			return n
		}
	}
	t.Fatalf("no %s line in /proc/self/status", field)
	return 0
}

// TestDialPendingUsesNoThreads holds 2,000 dials to silent peers pending at
// once: each waits on the runtime poller, so the process must stay at a
// few dozen OS threads. A blocking connect would need one thread per dial.
func TestDialPendingUsesNoThreads(t *testing.T) {
	requireGuest(t)
	if testing.Short() {
		t.Skip("opens 2,000 sockets")
	}
	checkNoLeaks(t)
	const n = 2000
	baseFDs := countFDs(t)
	// Go never ends its threads: count the ones this test adds.
	baseThreads := osThreads(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errs := make(chan error, n)
	for i := range n {
		go func() {
			// Spread over the silent prefix and both families.
			addr := hostPortList(1000+i%1000, vmtest.SilentIPv4)
			if i%2 == 1 {
				addr = hostPortList(1000+i%1000, vmtest.SilentIPv6)
			}
			c, err := (&Dialer{}).DialContext(ctx, "sctp", addr)
			if c != nil {
				c.Close()
			}
			errs <- err
		}()
	}
	deadline := time.Now().Add(60 * time.Second)
	for countFDs(t) < baseFDs+n {
		require.True(t, time.Now().Before(deadline), "only %d of %d sockets open", countFDs(t)-baseFDs, n)
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // let every connectx start and park
	threads := osThreads(t)
	t.Logf("%d dials pending: %d OS threads (%d before)", n, threads, baseThreads)
	require.LessOrEqual(t, threads-baseThreads, 30)

	cancel()
	for range n {
		select {
		case err := <-errs:
			require.ErrorIs(t, err, context.Canceled)
		case <-time.After(30 * time.Second):
			t.Fatal("a cancelled dial did not return")
		}
	}
}

// TestBlockingDialUsesThreads is the comparison: ishidawataru/sctp's
// DialSCTP blocks an OS thread per pending dial. It documents why the
// poller matters rather than testing this package. It runs in a child
// process, since Go never ends threads and earlier tests leave idle ones
// that the blocking dials would reuse.
func TestBlockingDialUsesThreads(t *testing.T) {
	requireGuest(t)
	const n = 100
	if os.Getenv("SCTPDIAL_BLOCKING_CHILD") == "1" {
		blockingDials(t, n)
		return
	}
	// Make the blocking dials give up quickly: two INITs, under a second.
	setSysctl(t, "net.sctp.max_init_retransmits", "1")
	setSysctl(t, "net.sctp.rto_initial", "200")
	cmd := exec.Command(os.Args[0], "-test.run=^TestBlockingDialUsesThreads$", "-test.v")
	// The child holds threads on purpose: no leak check there.
	cmd.Env = append(os.Environ(), "SCTPDIAL_BLOCKING_CHILD=1", "SCTPDIAL_LEAKCHECK=0")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	_, rest, ok := strings.Cut(string(out), "THREADS ")
	require.True(t, ok, "%s", out)
	var before, during int
	_, err = fmt.Sscan(rest, &before, &during)
	require.NoError(t, err)
	t.Logf("%d blocking dials pending: up to %d OS threads (before: %d)", n, during, before)
	require.Greater(t, during, before+n/2, "blocking connects hold OS threads")
}

// blockingDials runs n blocking dials to a silent peer at once and prints
// the process's thread count before and at most during them.
func blockingDials(t *testing.T, n int) {
	before := osThreads(t)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			raddr := &sctp.SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.ParseIP(vmtest.SilentIPv4)}}, Port: 2000 + i}
			if c, err := sctp.DialSCTPExt("sctp", nil, raddr, peerInitMsg); err == nil {
				c.Close()
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	during := before
	for waiting := true; waiting; {
		select {
		case <-done:
			waiting = false
		case <-time.After(20 * time.Millisecond):
			during = max(during, osThreads(t))
		}
	}
	fmt.Printf("THREADS %d %d\n", before, during)
}
