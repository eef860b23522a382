package sctpdial

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/sctpdial/sctpdial/internal/vmtest"
	"github.com/stretchr/testify/require"
)

// soakDials is how many dials TestSoak makes: SCTPDIAL_SOAK_DIALS, else
// 10,000, or 1,000 with -short.
func soakDials(t *testing.T) int {
	if v := os.Getenv("SCTPDIAL_SOAK_DIALS"); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err, "SCTPDIAL_SOAK_DIALS")
		return n
	}
	if testing.Short() {
		return 1000
	}
	return 10000
}

// The kinds of dial the soak mixes.
const (
	soakSuccess    = iota // to a listener
	soakRefused           // to a port nobody listens on
	soakSilent            // to a silent peer, until a short deadline
	soakCancel            // to a silent peer, cancelled at a random moment
	soakCancelRace        // to a listener, cancelled while it completes
	soakKinds
)

var soakKindNames = [soakKinds]string{"success", "refused", "silent timeout", "cancel", "cancel racing success"}

// soakCounts is what the soak measures the process and kernel by.
type soakCounts struct{ fds, goroutines, threads, assocs int }

func (c soakCounts) String() string {
	return fmt.Sprintf("%d descriptors, %d goroutines, %d OS threads, %d associations", c.fds, c.goroutines, c.threads, c.assocs)
}

func takeSoakCounts(t *testing.T) soakCounts {
	return soakCounts{countFDs(t), runtime.NumGoroutine(), osThreads(t), countAssocs(t)}
}

// countAssocs counts the kernel's SCTP associations (/proc/net/sctp/assocs
// has a header line, then one per association).
func countAssocs(t *testing.T) int {
	n := strings.Count(sctpAssocs(t), "\n")
	require.Positive(t, n, "the header line")
	return n - 1
}

// TestSoak: thousands of dials mixing success, refusal, a silent peer's
// timeout, cancellation at random moments and cancellation racing
// success, 64 at a time; every tenth association gets a concurrent Read,
// Write, SetDeadline and Close; listeners are closed under pending
// Accepts. Every dial ends the way its kind allows, every call returns,
// and afterwards descriptors, goroutines and kernel associations are back
// to where they started, with OS threads within a small slack. Then
// RLIMIT_NOFILE is lowered until dials fail with EMFILE: nothing leaks,
// and dials work again once descriptors are free.
func TestSoak(t *testing.T) {
	requireGuest(t)
	n := soakDials(t)
	base := takeSoakCounts(t)
	start := time.Now()
	avoided := portsAvoided.Load()
	t.Cleanup(func() {
		if r := strandedReport.Load(); r != nil {
			t.Logf("an accepted association still open after 25 s:\n%s", *r)
		}
	})

	// The echo server's associations send a heartbeat every second. A
	// cancelled dial's ABORT can overtake its COOKIE-ECHO on the way and
	// leave the server an association whose client is gone
	// (TestDialCancelAbortOvertakesCookieEcho); the protocol's end for it
	// is the ABORT a heartbeat meets, and the heartbeat interval bounds
	// how long that takes. What may not happen is an association that
	// waits out its 30 s deadline although heartbeats go out.
	ln, err := (&ListenConfig{KeepAlive: time.Second}).Listen(context.Background(), "sctp4", vmtest.LocalIPv4A+":0")
	require.NoError(t, err)
	var serving sync.WaitGroup
	var ends echoEnds
	serving.Add(1)
	go func() {
		defer serving.Done()
		serveEcho(ln, &ends)
	}()
	port := Port(ln.Addr())
	// Refused: a port with nothing listening, dialed from the other local
	// address, so that the INIT can never meet itself (a self-connect
	// needs the same address and port at both ends).
	refusedPort := closedPort(t)
	// A handshake packet lost on a guest starved of CPU is sent again
	// after 1 s, then every 2 s (the T1 timer doubles up to
	// MaxInitTimeout, not RTO.Max), not the kernel's 3, 6, 12 s: three
	// losses in a row would outlast the 20 s a succeeding dial is given.
	// What the soak checks is what is left behind, not the kernel's timers.
	soakInit := peerInitMsg
	soakInit.MaxInitTimeout = 2000
	d := &Dialer{InitMsg: soakInit, RTO: RTOInfo{Initial: time.Second, Max: 2 * time.Second}}
	refusing := &Dialer{InitMsg: peerInitMsg, LocalAddr: &sctp.SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.ParseIP(vmtest.LocalIPv4B)}}}}
	listening := vmtest.LocalIPv4A + ":" + strconv.Itoa(port)
	silent := vmtest.SilentIPv4 + ":9"

	var outcomes [soakKinds]map[string]int
	for i := range outcomes {
		outcomes[i] = map[string]int{}
	}
	var mu sync.Mutex
	var unexpected []string
	var live atomic.Int32
	record := func(kind int, outcome string, ok bool) {
		mu.Lock()
		defer mu.Unlock()
		outcomes[kind][outcome]++
		if !ok && len(unexpected) < 20 {
			unexpected = append(unexpected, soakKindNames[kind]+": "+outcome)
		}
	}

	watch := newWaitWatch()
	defer watch.stop()
	var reported atomic.Bool
	jobs := make(chan int)
	var workers sync.WaitGroup
	for w := range 64 {
		workers.Add(1)
		go func() {
			defer workers.Done()
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for i := range jobs {
				kind := i % soakKinds
				ctx, cancel := context.Background(), context.CancelFunc(func() {})
				dialer, addr := d, listening
				switch kind {
				case soakSuccess:
					ctx, cancel = context.WithTimeout(ctx, 20*time.Second)
				case soakRefused:
					ctx, cancel = context.WithTimeout(ctx, 20*time.Second)
					dialer, addr = refusing, vmtest.LocalIPv4A+":"+strconv.Itoa(refusedPort)
				case soakSilent:
					ctx, cancel = context.WithTimeout(ctx, time.Duration(5+r.IntN(25))*time.Millisecond)
					addr = silent
				case soakCancel:
					ctx, cancel = context.WithCancel(ctx)
					time.AfterFunc(time.Duration(r.IntN(5000))*time.Microsecond, cancel)
					addr = silent
				case soakCancelRace:
					ctx, cancel = context.WithCancel(ctx)
					time.AfterFunc(time.Duration(r.IntN(3000))*time.Microsecond, cancel)
				}
				// A dial still waiting after 8 s is described once, while
				// it waits: its association's state, the SCTP counters,
				// the kernel's associations, the waiting goroutines.
				watchdog := time.AfterFunc(8*time.Second, func() {
					if reported.CompareAndSwap(false, true) {
						t.Logf("a %s dial waits for over 8 s:\n%s\nlistener: %s\n%s\n%s\n%s", soakKindNames[kind], watch.report(7*time.Second), memInfo(ln.(*Listener).rc),
							procFile("/proc/net/sctp/snmp"), procFile("/proc/net/sctp/assocs"), stacks())
					}
				})
				c, err := dialer.DialSCTP(ctx, "sctp4", addr)
				watchdog.Stop()
				cancel()
				var ok bool
				switch kind {
				case soakSuccess:
					ok = err == nil
				case soakRefused:
					ok = errors.Is(err, syscall.ECONNREFUSED)
				case soakSilent:
					ok = errors.Is(err, context.DeadlineExceeded)
				case soakCancel:
					ok = errors.Is(err, context.Canceled)
				case soakCancelRace:
					ok = err == nil || errors.Is(err, context.Canceled)
				}
				if c != nil && err != nil {
					ok = false
					c.Close()
				}
				outcome := "ok"
				if err != nil {
					outcome = soakErrName(err)
				}
				record(kind, outcome, ok)
				if c == nil || err != nil {
					continue
				}
				if i%10 == 0 {
					live.Add(1)
					if res := hammerConn(c, r); res != "" {
						record(kind, res, false)
					}
					live.Add(-1)
					continue
				}
				if _, err := c.Write([]byte("ping")); err != nil {
					record(kind, "write: "+err.Error(), false)
				}
				c.Close()
			}
		}()
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	workers.Wait()
	dialTime := time.Since(start)

	t.Logf("%d dials in %v (%.0f/s), %d drew a recently ended port and took another:", n, dialTime.Round(time.Millisecond), float64(n)/dialTime.Seconds(), portsAvoided.Load()-avoided)
	for k, m := range outcomes {
		t.Logf("  %s: %v", soakKindNames[k], m)
	}
	require.Empty(t, unexpected, "dials or calls that ended the wrong way (first 20)")

	phase := time.Now()
	soakEMFILE(t, d, listening)
	t.Logf("EMFILE phase %v", time.Since(phase).Round(time.Millisecond))
	phase = time.Now()
	acceptUnderClose(t)
	require.NoError(t, ln.Close())
	serving.Wait()
	t.Logf("Accept under Close, listener closed, echo servers ended: %v", time.Since(phase).Round(time.Millisecond))
	// Every client end closed or aborted its association, so every
	// server end heard of it, at the latest from a heartbeat: none may
	// wait out its deadline half-open.
	t.Logf("accepted associations a heartbeat found gone (reset after a silent second or more): %d", ends.foundByHeartbeat.Load())
	require.Zero(t, ends.stranded.Load(), "accepted associations left half-open until their deadline")
	phase = time.Now()
	requireSoakBaseline(t, base)
	t.Logf("baseline reached after %v; soak total %v", time.Since(phase).Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}

// soakErrName names a dial error by what it matches, for the tally.
func soakErrName(err error) string {
	for _, e := range []error{context.Canceled, context.DeadlineExceeded, syscall.ECONNREFUSED, syscall.EMFILE, net.ErrClosed} {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	return err.Error()
}

// echoEnds counts how serveEcho's associations ended, beyond the usual.
type echoEnds struct {
	stranded         atomic.Int32 // waited out their 30 s deadline
	foundByHeartbeat atomic.Int32 // reset with nothing read after 1 s or more
}

// serveEcho accepts until the listener is closed, echoing each
// association until its end; it returns once every one has ended, and
// counts in ends those that ended by their 30 s deadline, or by a reset
// that a heartbeat must have brought.
func serveEcho(ln net.Listener, ends *echoEnds) {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			// EMFILE while the soak holds the limit low: try again.
			time.Sleep(time.Millisecond)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			accepted := time.Now()
			c.SetDeadline(accepted.Add(30 * time.Second))
			// An association still open after 25 s is described while
			// it is (its addresses, state and paths, every kernel
			// association on its peer's port, and what the port memory
			// says of that port), once per run.
			watch := time.AfterFunc(25*time.Second, func() {
				if describeStranded.CompareAndSwap(false, true) {
					strandedReport.Store(describeAssoc(c.(*Conn), accepted))
				}
			})
			defer watch.Stop()
			n, err := io.Copy(c, c)
			switch {
			case errors.Is(err, os.ErrDeadlineExceeded):
				ends.stranded.Add(1)
			case n == 0 && errors.Is(err, syscall.ECONNRESET) && time.Since(accepted) >= time.Second:
				ends.foundByHeartbeat.Add(1)
			}
		}()
	}
}

// closedPort returns a port on the guest's first address that nothing
// listens on.
func closedPort(t *testing.T) int {
	l, err := Listen("sctp4", vmtest.LocalIPv4A+":0")
	require.NoError(t, err)
	port := Port(l.Addr())
	require.NoError(t, l.Close())
	return port
}

// hammerConn runs Read, Write, SetDeadline and Close on c at once, at
// random moments; every call must return (a hang is reported after 30 s,
// with the calls still running and every goroutine's stack). It returns
// a description of what went wrong, or "".
func hammerConn(c *Conn, r *rand.Rand) string {
	closeAfter := time.Duration(r.IntN(20)) * time.Millisecond
	var wg sync.WaitGroup
	var bad atomic.Value
	fail := func(s string) { bad.CompareAndSwap(nil, s) }
	// Which calls have returned, for the report of a hang.
	var returned sync.Map
	finish := func(op string) {
		returned.Store(op, true)
		wg.Done()
	}
	// Read and Write until Close or a deadline stops them.
	loop := func(op string, f func([]byte) (int, error)) {
		defer finish(op)
		buf := make([]byte, 512)
		for {
			if _, err := f(buf); err != nil {
				if !errors.Is(err, net.ErrClosed) && !errors.Is(err, os.ErrDeadlineExceeded) {
					fail(op + ": " + err.Error())
				}
				return
			}
		}
	}
	wg.Add(4)
	go loop("write", c.Write)
	go loop("read", c.Read)
	go func() {
		defer finish("set deadline")
		for range 20 {
			err := c.SetDeadline(time.Now().Add(time.Duration(5+r.IntN(50)) * time.Millisecond))
			if err != nil && !errors.Is(err, net.ErrClosed) {
				fail("set deadline: " + err.Error())
			}
			time.Sleep(time.Millisecond)
		}
	}()
	go func() {
		defer finish("close")
		time.Sleep(closeAfter)
		if err := c.Close(); err != nil {
			fail("close: " + err.Error())
		}
	}()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		var stuck []string
		for _, op := range []string{"write", "read", "set deadline", "close"} {
			if _, ok := returned.Load(op); !ok {
				stuck = append(stuck, op)
			}
		}
		buf := make([]byte, 1<<20)
		return fmt.Sprintf("calls on a live Conn did not return within 30 s: %v\n%s", stuck, buf[:runtime.Stack(buf, true)])
	}
	if s, ok := bad.Load().(string); ok {
		return s
	}
	return ""
}

// acceptUnderClose closes listeners while Accepts wait on them: each
// Accept returns net.ErrClosed at once.
func acceptUnderClose(t *testing.T) {
	for range 20 {
		l, err := Listen("sctp4", vmtest.LocalIPv4A+":0")
		require.NoError(t, err)
		errs := make(chan error, 2)
		for range 2 {
			go func() {
				_, err := l.Accept()
				errs <- err
			}()
		}
		time.Sleep(time.Millisecond)
		require.NoError(t, l.Close())
		for range 2 {
			select {
			case err := <-errs:
				require.ErrorIs(t, err, net.ErrClosed)
			case <-time.After(5 * time.Second):
				t.Fatal("Accept did not return after Close")
			}
		}
	}
}

// requireSoakBaseline waits for descriptors, goroutines and associations
// to return to base (associations end with a SHUTDOWN handshake), and
// allows OS threads a small slack: the runtime keeps threads it started.
func requireSoakBaseline(t *testing.T, base soakCounts) {
	t.Helper()
	var now soakCounts
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		now = takeSoakCounts(t)
		if now.fds <= base.fds && now.goroutines <= base.goroutines && now.assocs <= base.assocs && now.threads <= base.threads+16 {
			t.Logf("back to baseline: %v (start: %v)", now, base)
			return
		}
	}
	t.Fatalf("not back to baseline: %v, start %v\n%s", now, base, sctpAssocs(t))
}

// soakEMFILE lowers RLIMIT_NOFILE to a few descriptors above those open
// and dials until a dial fails with EMFILE; once the associations are
// closed and the limit restored, dials work again.
func soakEMFILE(t *testing.T, d *Dialer, addr string) {
	var orig syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &orig))
	open := countFDs(t)
	low := orig
	low.Cur = uint64(open + 16)
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low))
	restore := func() { require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &orig)) }
	var conns []*Conn
	var emfile error
	for range 64 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c, err := d.DialSCTP(ctx, "sctp4", addr)
		cancel()
		if err != nil {
			emfile = err
			break
		}
		conns = append(conns, c)
	}
	restore()
	for _, c := range conns {
		c.Close()
	}
	require.ErrorIs(t, emfile, syscall.EMFILE, "dials under a limit of %d descriptors (%d open)", low.Cur, open)
	t.Logf("EMFILE after %d dials under a limit of %d descriptors: %v", len(conns), low.Cur, emfile)

	// The echo server accepts what queued while the limit was low one by
	// one, each open only until its Read sees the end: judge by the count
	// that met the bound, not by a later one that can catch the next
	// accept.
	n := countFDs(t)
	for deadline := time.Now().Add(10 * time.Second); n > open && time.Now().Before(deadline); n = countFDs(t) {
		time.Sleep(20 * time.Millisecond)
	}
	if n > open {
		t.Fatalf("descriptors left after EMFILE: %d, %d before\n%s\n%s", n, open, fdList(), procFile("/proc/net/sctp/assocs"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := d.DialSCTP(ctx, "sctp4", addr)
	require.NoError(t, err, "a dial once descriptors are free again")
	require.NoError(t, c.Close())
}
