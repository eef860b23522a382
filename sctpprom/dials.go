package sctpprom

import (
	"context"
	"errors"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sctpdial/sctpdial"
)

// Dial results, the values of the result label.
const (
	ResultOK          = "ok"
	ResultRefused     = "refused"     // ECONNREFUSED: an ABORT answered the INIT
	ResultTimeout     = "timeout"     // the deadline, or ETIMEDOUT after the INIT retransmissions
	ResultCanceled    = "canceled"    // the context was cancelled
	ResultUnreachable = "unreachable" // ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL
	ResultError       = "error"       // anything else
)

var results = [...]string{ResultOK, ResultRefused, ResultTimeout, ResultCanceled, ResultUnreachable, ResultError}

// Result classifies a dial's error as the result label does.
func Result(err error) string {
	switch {
	case err == nil:
		return ResultOK
	case errors.Is(err, syscall.ECONNREFUSED):
		return ResultRefused
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, syscall.ETIMEDOUT):
		return ResultTimeout
	case errors.Is(err, context.Canceled):
		return ResultCanceled
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.EADDRNOTAVAIL):
		return ResultUnreachable
	}
	return ResultError
}

// dialMetrics are the metrics the Collector's DialTrace feeds.
type dialMetrics struct {
	dials          *prometheus.CounterVec
	duration       *prometheus.HistogramVec
	inits          prometheus.Histogram
	lookupFailures prometheus.Counter
}

func newDialMetrics(o Opts) *dialMetrics {
	m := &dialMetrics{
		dials: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: o.Namespace, Name: "dials_total", ConstLabels: o.ConstLabels,
			Help: "SCTP dials that reached sctp_connectx, by result.",
		}, []string{"result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: o.Namespace, Name: "dial_duration_seconds", ConstLabels: o.ConstLabels, Buckets: o.DialBuckets,
			Help: "Time from sctp_connectx to the dial's outcome, by result.",
		}, []string{"result"}),
		inits: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: o.Namespace, Name: "dial_init_chunks", ConstLabels: o.ConstLabels, Buckets: []float64{1, 2, 3, 4, 6, 8},
			Help: "INIT chunks sent by successful dials, the first included: more than one means early addresses stayed silent.",
		}),
		lookupFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: o.Namespace, Name: "dial_lookup_failures_total", ConstLabels: o.ConstLabels,
			Help: "Host name lookups of SCTP dials that failed (a dial survives some if other hosts resolve).",
		}),
	}
	for _, r := range results {
		// Every result exported from the start, at 0. An error (a
		// ConstLabel named result) shows when the Collector is registered.
		m.dials.GetMetricWithLabelValues(r)
	}
	return m
}

func (m *dialMetrics) Describe(ch chan<- *prometheus.Desc) {
	m.dials.Describe(ch)
	m.duration.Describe(ch)
	m.inits.Describe(ch)
	m.lookupFailures.Describe(ch)
}

func (m *dialMetrics) Collect(ch chan<- prometheus.Metric) {
	m.dials.Collect(ch)
	m.duration.Collect(ch)
	m.inits.Collect(ch)
	m.lookupFailures.Collect(ch)
}

// DialTrace returns a DialTrace that counts dials into c's metrics: put it
// in a dial's context with sctpdial.WithDialTrace. Dials that fail before
// sctp_connectx (a bad address, no host resolved) count only their failed
// lookups.
func (c *Collector) DialTrace() *sctpdial.DialTrace {
	m := c.dials
	return &sctpdial.DialTrace{
		ResolveDone: func(i sctpdial.ResolveDoneInfo) {
			if i.Err != nil {
				m.lookupFailures.Inc()
			}
		},
		ConnectDone: func(i sctpdial.ConnectDoneInfo) {
			r := Result(i.Err)
			if c, err := m.dials.GetMetricWithLabelValues(r); err == nil {
				c.Inc()
			}
			if h, err := m.duration.GetMetricWithLabelValues(r); err == nil {
				h.Observe(i.Elapsed.Seconds())
			}
			if i.Err == nil && i.INITs > 0 {
				m.inits.Observe(float64(i.INITs))
			}
		},
	}
}
