// Package sctpprom exports the statistics of sctpdial associations as
// Prometheus metrics: a Collector reads each tracked association's
// counters (sctpdial.Conn.AssocStats), status, paths and notification
// counts at every scrape, and counts dial outcomes through the DialTrace
// it provides.
//
//	c := sctpprom.NewCollector(sctpprom.Opts{})
//	prometheus.MustRegister(c)
//	ctx := sctpdial.WithDialTrace(ctx, c.DialTrace())
//	conn, err := d.DialSCTP(ctx, "sctp", "192.0.2.1,192.0.2.2:3868")
//	...
//	c.Track(conn, "hss-1")
//
// # Labels and cardinality
//
// Association series carry the labels assoc (the name given to Track),
// local and peer (the association's address lists in sctpdial's grammar,
// "192.0.2.1,192.0.2.2:3868", as they were when tracked); path series add
// path, the peer address of the path. Dial series carry only result, one
// of a fixed set. No label holds a stream, a PPID or a message property.
// So the number of series is 24 per tracked association plus 10 per path
// (the peer's address count, itself bounded by the peer's INIT-ACK), plus
// a fixed number for dials (a counter and a duration histogram per
// result): it grows only with the associations an application tracks, and an association leaves the set when it is
// untracked or when its statistics can no longer be read (closed or
// ended), at the next scrape.
//
// The package sits beside sctpdial so that the core does not depend on
// the Prometheus client.
package sctpprom

import (
	"net"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sctpdial/sctpdial"
)

// Source is what the Collector reads from an association; *sctpdial.Conn
// is one.
type Source interface {
	// AssocStats is sctpdial.Conn.AssocStats. Each call starts a new
	// observation period of MaxRTO, so the exported maximum RTO is the
	// largest since the previous scrape (or the previous call by anyone).
	AssocStats() (sctpdial.AssocStats, error)
	Status() (sctpdial.Status, error)
	Paths() ([]sctpdial.PathInfo, error)
	NotificationCounts() sctpdial.NotificationCounts
	LocalAddr() net.Addr
	RemoteAddr() net.Addr
}

var _ Source = (*sctpdial.Conn)(nil)

// Opts configures a Collector. The zero value is ready to use.
type Opts struct {
	// Namespace prefixes every metric name; "sctp" if empty.
	Namespace string
	// ConstLabels are added to every series, for example to tell two
	// Collectors in one registry apart.
	ConstLabels prometheus.Labels
	// DialBuckets are the buckets of the dial duration histogram, in
	// seconds; DefaultDialBuckets if nil.
	DialBuckets []float64
}

// DefaultDialBuckets span a loopback handshake to INIT retransmissions
// at the kernel's default 3 s initial RTO.
var DefaultDialBuckets = []float64{.001, .005, .01, .05, .1, .5, 1, 3, 9, 21, 45}

// Collector is a prometheus.Collector of the tracked associations and of
// the dials run under its DialTrace. It is safe for concurrent use.
type Collector struct {
	descs descs
	dials *dialMetrics

	mu     sync.Mutex
	assocs map[Source]labels
}

// labels are a tracked association's label values.
type labels struct{ name, local, peer string }

// NewCollector returns a Collector tracking no association yet. Opts
// that make invalid metrics (a ConstLabel named like one of the
// Collector's labels) are reported by the registry's Register.
func NewCollector(o Opts) *Collector {
	if o.Namespace == "" {
		o.Namespace = "sctp"
	}
	if o.DialBuckets == nil {
		o.DialBuckets = DefaultDialBuckets
	}
	return &Collector{
		descs:  newDescs(o),
		dials:  newDialMetrics(o),
		assocs: make(map[Source]labels),
	}
}

// Track adds an association to the Collector, under name (the assoc label:
// a name an operator knows the peer by, such as "hss-1"; it may be
// empty; invalid UTF-8 is replaced). Its address lists are read now, for
// the local and peer labels. Tracking a Source again renames it.
func (c *Collector) Track(s Source, name string) {
	l := labels{name: strings.ToValidUTF8(name, "\uFFFD"), local: sctpdial.HostPort(s.LocalAddr()), peer: sctpdial.HostPort(s.RemoteAddr())}
	c.mu.Lock()
	c.assocs[s] = l
	c.mu.Unlock()
}

// Untrack removes an association from the Collector; its series are gone
// from the next scrape.
func (c *Collector) Untrack(s Source) {
	c.mu.Lock()
	delete(c.assocs, s)
	c.mu.Unlock()
}

// Tracked returns the number of associations tracked.
func (c *Collector) Tracked() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.assocs)
}

// Describe sends the descriptors of every metric the Collector exports.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	c.descs.describe(ch)
	c.dials.Describe(ch)
}

// Collect reads every tracked association and sends its metrics, then the
// dial metrics. An association whose statistics cannot be read is
// untracked.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	snap := make(map[Source]labels, len(c.assocs))
	for s, l := range c.assocs {
		snap[s] = l
	}
	c.mu.Unlock()
	for s, l := range snap {
		if !c.collectAssoc(ch, s, l) {
			c.mu.Lock()
			if cur, ok := c.assocs[s]; ok && cur == l {
				delete(c.assocs, s)
			}
			c.mu.Unlock()
		}
	}
	c.dials.Collect(ch)
}
