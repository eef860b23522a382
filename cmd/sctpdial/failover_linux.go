package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/sctpdial/sctpdial"
	"github.com/sctpdial/sctpdial/internal/netlab"
)

var labFamilies = map[string]netlab.Family{"ipv4": netlab.IPv4, "ipv6": netlab.IPv6, "mixed": netlab.Mixed}

func failoverDemo(ctx context.Context, w io.Writer, o failoverFlags) error {
	lab, err := netlab.New(labFamilies[o.family])
	if err != nil {
		return failed("building the two namespaces (needs root and network namespaces: run ./scripts/demo.sh failover)", err)
	}
	defer lab.Close()
	for i, p := range lab.Paths {
		fmt.Fprintf(w, "path %d         client %v <-> server %v (%s)\n", i, p.Client, p.Server, p.Prefix)
	}
	policy := sctpdial.FailoverWithin(o.within)
	fmt.Fprintf(w, "policy         FailoverWithin(%v): RTO %v..%v (initial %v), heartbeat %v,\n", o.within,
		policy.RTO.Min, policy.RTO.Max, policy.RTO.Initial, policy.HeartbeatInterval)
	fmt.Fprintf(w, "               path max retrans %d, PF threshold %d, switch-over %d, association max retrans %d\n",
		policy.Thresholds.PathMaxRetrans, policy.Thresholds.PFThreshold, policy.Thresholds.SwitchoverThreshold, policy.AssocMaxRetrans)

	streams := sctp.InitMsg{NumOstreams: 2, MaxInstreams: 2}
	var ln *sctpdial.Listener
	err = lab.Server.Do(func() (err error) {
		lc := sctpdial.ListenConfig{InitMsg: streams, Failover: policy}
		ln, err = lc.ListenSCTP(ctx, "sctp", addrList(lab.ServerAddrs(), 0))
		return err
	})
	if err != nil {
		return failed("listening in the server namespace", err)
	}
	defer ln.Close()
	defer serveEcho(ln)()

	target := addrList(lab.ServerAddrs(), ln.Addr().(*sctp.SCTPAddr).Port)
	var c *sctpdial.Conn
	err = lab.Client.Do(func() (err error) {
		d := sctpdial.Dialer{InitMsg: streams, Failover: policy, Timeout: 5 * time.Second}
		c, err = d.DialSCTP(ctx, "sctp", target)
		return err
	})
	if err != nil {
		return failed("dialing "+target+" from the client namespace", err)
	}
	defer c.Close()
	st, err := c.Status()
	if err != nil {
		return failed("reading the status", err)
	}
	fmt.Fprintf(w, "dialed         %s, primary %v\n\n", target, st.Primary.Addr.IP)

	stopWatch, err := watch(c, 20*time.Millisecond, w)
	if err != nil {
		return failed("subscribing to notifications", err)
	}
	tr := startTraffic(c)
	stopAll := func() error { terr := tr.stop(); stopWatch(); return terr }

	dead := lab.Paths[0].Server
	stamp := func(format string, args ...any) {
		fmt.Fprintf(w, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05.000")}, args...)...)
	}
	sleep(ctx, 500*time.Millisecond)
	stamp("cutting path 0 (%v <-> %v) in both directions", lab.Paths[0].Client, dead)
	if err := lab.Cut(0); err != nil {
		stopAll()
		return failed("cutting path 0", err)
	}
	cut := time.Now()
	tr.markCut(cut)
	waitPath(ctx, c, dead, sctpdial.PathInactive, o.down, 4*o.within)
	stamp("restoring path 0")
	if err := lab.Restore(0); err != nil {
		stopAll()
		return failed("restoring path 0", err)
	}
	waitPath(ctx, c, dead, sctpdial.PathActive, o.up, 3*o.within)
	if err := stopAll(); err != nil {
		return failed("echoing", err)
	}

	r := tr.result()
	st, _ = c.Status()
	fmt.Fprintf(w, "\nechoed         %d messages, none lost or out of order\n", r.count)
	verdict := "within"
	if r.stall > o.within {
		verdict = "beyond"
	}
	when := r.stallAt.Sub(cut).Round(time.Millisecond)
	rel := fmt.Sprintf("%v after", when)
	if when < 0 {
		rel = fmt.Sprintf("%v before", -when)
	}
	fmt.Fprintf(w, "longest stall  %v, from %s the cut: %s the %v bound\n", r.stall.Round(time.Millisecond), rel, verdict, o.within)
	note := "(it never left)"
	if !st.Primary.Addr.IP.Equal(dead.AsSlice()) {
		note = "(switch-over moved it; the kernel does not move it back)"
	}
	fmt.Fprintf(w, "primary        %v %s\n", st.Primary.Addr.IP, note)
	return ctx.Err()
}

// addrList formats addresses with a port as a dial or listen address.
func addrList(ips []netip.Addr, port int) string {
	hosts := make([]string, len(ips))
	for i, ip := range ips {
		hosts[i] = ip.String()
	}
	return bracketList(strings.Join(hosts, ",")) + fmt.Sprintf(":%d", port)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// waitPath waits for exactly fixed if it is set, else until c's path to ip
// is in state, at most limit.
func waitPath(ctx context.Context, c *sctpdial.Conn, ip netip.Addr, state sctpdial.PathState, fixed, limit time.Duration) {
	if fixed > 0 {
		sleep(ctx, fixed)
		return
	}
	for end := time.Now().Add(limit); time.Now().Before(end) && ctx.Err() == nil; sleep(ctx, 20*time.Millisecond) {
		paths, err := c.Paths()
		if err != nil {
			return
		}
		for _, p := range paths {
			if got, _ := netip.AddrFromSlice(p.Addr.IP); got.Unmap() == ip && p.State == state {
				sleep(ctx, 100*time.Millisecond) // let the notification print first
				return
			}
		}
	}
}

// traffic sends numbered messages every 10 ms and reads their echoes,
// timing the longest wait between two echoes.
type traffic struct {
	c    *sctpdial.Conn
	done chan struct{}
	err  chan error

	mu      sync.Mutex
	cut     time.Time
	count   int
	stall   time.Duration
	stallAt time.Time // when the longest wait began
}

type trafficResult struct {
	count   int
	stall   time.Duration
	stallAt time.Time
}

func startTraffic(c *sctpdial.Conn) *traffic {
	t := &traffic{c: c, done: make(chan struct{}), err: make(chan error, 1)}
	go func() { t.err <- t.run() }()
	return t
}

func (t *traffic) run() error {
	msg := make([]byte, 1024)
	buf := make([]byte, 2048)
	last := time.Now()
	for seq := uint64(0); ; seq++ {
		select {
		case <-t.done:
			return nil
		case <-time.After(10 * time.Millisecond):
		}
		binary.BigEndian.PutUint64(msg, seq)
		if _, err := t.c.Write(msg); err != nil {
			return err
		}
		t.c.SetReadDeadline(time.Now().Add(30 * time.Second))
		n, err := t.c.Read(buf)
		if err != nil {
			return err
		}
		if n != len(msg) || binary.BigEndian.Uint64(buf) != seq {
			return fmt.Errorf("echo %d came back wrong or out of order", seq)
		}
		now := time.Now()
		t.mu.Lock()
		if gap := now.Sub(last); gap > t.stall && !t.cut.IsZero() {
			t.stall, t.stallAt = gap, last
		}
		t.count++
		t.mu.Unlock()
		last = now
	}
}

// markCut starts timing stalls: the longest one after the cut is the
// failover's.
func (t *traffic) markCut(at time.Time) {
	t.mu.Lock()
	t.cut = at
	t.mu.Unlock()
}

func (t *traffic) stop() error {
	close(t.done)
	return <-t.err
}

func (t *traffic) result() trafficResult {
	t.mu.Lock()
	defer t.mu.Unlock()
	return trafficResult{t.count, t.stall, t.stallAt}
}
