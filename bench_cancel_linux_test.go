package sctpdial

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/sctpdial/sctpdial/internal/vmtest"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// pendingSettle is how long a benchmark lets a dial to a silent peer run
// before cancelling it: long enough for connectx to have been sent and the
// goroutine to be parked, far shorter than the 3 s first INIT timeout.
const pendingSettle = 3 * time.Millisecond

// BenchmarkCancel measures how long a single pending dial to a silent
// peer takes to return once its context is cancelled, against the time a
// raw close(2) of a socket in the same state takes: plain (raw-close,
// which sends nothing) and with SO_LINGER 0 first (raw-abort, which sends
// the ABORT a cancelled dial sends, see abortWhenClosed). p50 and p99 are
// reported in microseconds; ns/op includes the settle time and means
// nothing here.
func BenchmarkCancel(b *testing.B) {
	requireGuest(b)
	silent := netip.MustParseAddr(vmtest.SilentIPv4)
	addr := hostPortList(2905, vmtest.SilentIPv4)

	b.Run("sctpdial", func(b *testing.B) {
		var d Dialer
		lat := make([]time.Duration, 0, 1024)
		done := make(chan time.Time, 1)
		for b.Loop() {
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				c, err := d.DialContext(ctx, "sctp", addr)
				if c != nil {
					c.Close()
				}
				if err == nil {
					panic("a dial to a silent peer succeeded")
				}
				done <- time.Now()
			}()
			time.Sleep(pendingSettle)
			start := time.Now()
			cancel()
			lat = append(lat, (<-done).Sub(start))
		}
		reportQuantiles(b, lat)
	})
	for _, raw := range rawClosers {
		b.Run(raw.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, 1024)
			for b.Loop() {
				fd := rawPending(b, silent, 2905)
				time.Sleep(pendingSettle)
				start := time.Now()
				raw.close(fd)
				lat = append(lat, time.Since(start))
			}
			reportQuantiles(b, lat)
		})
	}
}

// rawClosers are the raw closes a cancelled dial is measured against: a
// plain close, which sends nothing for a pending handshake, and one with
// SO_LINGER 0 first, which sends the ABORT a cancelled dial sends.
var rawClosers = []rawCloser{{"raw-close", false}, {"raw-abort", true}}

type rawCloser struct {
	name  string
	abort bool
}

func (r rawCloser) close(fd int) {
	if r.abort {
		abortWhenClosed(fd)
	}
	unix.Close(fd)
}

// reportQuantiles reports the p50 and p99 of lat in microseconds.
func reportQuantiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	q := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / float64(time.Microsecond)
	}
	b.ReportMetric(q(0.50), "p50-µs")
	b.ReportMetric(q(0.99), "p99-µs")
}

// BenchmarkCancelMany cancels 1,000 pending dials at once (one context)
// and measures until the last has returned, against closing 1,000 raw
// sockets in the same state, plainly and with an ABORT. The metric is milliseconds per batch.
func BenchmarkCancelMany(b *testing.B) {
	requireGuest(b)
	const n = 1000
	silent := netip.MustParseAddr(vmtest.SilentIPv4)

	b.Run("sctpdial", func(b *testing.B) {
		var total time.Duration
		for b.Loop() {
			b.StopTimer()
			base := countFDs(b)
			ctx, cancel := context.WithCancel(context.Background())
			wg := startPendingDials(ctx, n, func(i int) string { return hostPortList(3000+i, vmtest.SilentIPv4) })
			waitFDs(b, base+n)
			time.Sleep(100 * time.Millisecond) // every connectx sent, every goroutine parked
			b.StartTimer()
			start := time.Now()
			cancel()
			wg.Wait()
			total += time.Since(start)
		}
		b.ReportMetric(float64(total)/float64(b.N)/1e6, "ms/batch")
	})
	for _, raw := range rawClosers {
		b.Run(raw.name, func(b *testing.B) {
			var total time.Duration
			fds := make([]int, n)
			for b.Loop() {
				b.StopTimer()
				for i := range fds {
					fds[i] = rawPending(b, silent, 3000+i)
				}
				time.Sleep(100 * time.Millisecond)
				b.StartTimer()
				start := time.Now()
				for _, fd := range fds {
					raw.close(fd)
				}
				total += time.Since(start)
			}
			b.ReportMetric(float64(total)/float64(b.N)/1e6, "ms/batch")
		})
	}
}

// startPendingDials starts n dials to the silent peers addr(i) names, each
// in its own goroutine, that run until ctx ends; the WaitGroup is done
// when all have returned. A dial that succeeds panics: no test may go on
// after it (require cannot be used in these goroutines).
func startPendingDials(ctx context.Context, n int, addr func(i int) string) *sync.WaitGroup {
	wg := new(sync.WaitGroup)
	for i := range n {
		a := addr(i)
		wg.Go(func() {
			c, err := (&Dialer{}).DialContext(ctx, "sctp", a)
			if c != nil {
				c.Close()
			}
			if err == nil {
				panic("a dial to a silent peer succeeded")
			}
		})
	}
	return wg
}

// waitFDs waits until the process has at least n descriptors open.
func waitFDs(b testing.TB, n int) {
	deadline := time.Now().Add(60 * time.Second)
	for countFDs(b) < n {
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d descriptors open", countFDs(b), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// BenchmarkPending holds many dials to silent peers pending at once and
// reports the OS threads the process gained and its resident memory:
// 10,000 of this package's dials, and 200 of ishidawataru/sctp's blocking
// ones for contrast (capped: each holds a thread, and a 1 GiB guest runs
// out long before 10,000). The ishidawataru case runs last because Go
// never ends the threads it makes.
func BenchmarkPending(b *testing.B) {
	requireGuest(b)
	raiseFDLimit(b, 65536)
	b.Run("sctpdial-10000", func(b *testing.B) {
		const n = 10000
		for b.Loop() {
			threads, rss := osThreads(b), rssMiB(b)
			base := countFDs(b)
			ctx, cancel := context.WithCancel(context.Background())
			wg := startPendingDials(ctx, n, func(i int) string {
				if i%2 == 1 {
					return hostPortList(1000+i%1000, vmtest.SilentIPv6)
				}
				return hostPortList(1000+i%1000, vmtest.SilentIPv4)
			})
			waitFDs(b, base+n)
			time.Sleep(300 * time.Millisecond)
			b.ReportMetric(float64(osThreads(b)-threads), "threads-added")
			b.ReportMetric(float64(osThreads(b)), "threads")
			b.ReportMetric(rssMiB(b)-rss, "MiB-added")
			// Resident memory as a whole too: the heap earlier runs grew is
			// reused, so MiB-added reads near 0 after the first.
			b.ReportMetric(rssMiB(b), "MiB-rss")
			cancel()
			wg.Wait()
		}
	})
	b.Run("ishidawataru-200", func(b *testing.B) {
		const n = 200
		// Make the blocking dials give up quickly: two INITs, under a second.
		setSysctl(b, "net.sctp.max_init_retransmits", "1")
		setSysctl(b, "net.sctp.rto_initial", "200")
		for b.Loop() {
			threads, rss := osThreads(b), rssMiB(b)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					raddr := &sctp.SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.ParseIP(vmtest.SilentIPv4)}}, Port: 2000 + i}
					if c, err := sctp.DialSCTPExt("sctp", nil, raddr, peerInitMsg); err == nil {
						c.Close()
					}
				})
			}
			time.Sleep(300 * time.Millisecond)
			b.ReportMetric(float64(osThreads(b)-threads), "threads-added")
			b.ReportMetric(float64(osThreads(b)), "threads")
			b.ReportMetric(rssMiB(b)-rss, "MiB-added")
			b.ReportMetric(rssMiB(b), "MiB-rss")
			wg.Wait()
		}
	})
}

// rssMiB reads the process's resident set size from /proc/self/status.
func rssMiB(t testing.TB) float64 { return float64(procStatus(t, "VmRSS")) / 1024 }

// raiseFDLimit makes room for n descriptors for the benchmark's duration
// (the guest runs as root, which may raise the hard limit).
func raiseFDLimit(b testing.TB, n uint64) {
	var old unix.Rlimit
	require.NoError(b, unix.Getrlimit(unix.RLIMIT_NOFILE, &old))
	if old.Cur >= n {
		return
	}
	require.NoError(b, unix.Setrlimit(unix.RLIMIT_NOFILE, &unix.Rlimit{Cur: n, Max: max(n, old.Max)}))
	b.Cleanup(func() { unix.Setrlimit(unix.RLIMIT_NOFILE, &old) })
}
