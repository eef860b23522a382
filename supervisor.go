package sctpdial

import (
	"context"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ishidawataru/sctp"
)

// SupervisorConfig configures Dialer.Supervise. The zero value is ready
// to use: gRPC's redial schedule, stall detection after 30 s, no
// application heartbeat, incoming messages read and dropped, at most
// 1 MiB or 4096 messages queued.
type SupervisorConfig struct {
	// Backoff is the redial schedule after a failed dial or a lost
	// association (see Backoff for its defaults).
	Backoff Backoff

	// ConnectTimeout bounds each dial. Zero means the Dialer's Timeout, or
	// 20 s (gRPC's minimum connect timeout) when that is zero too.
	ConnectTimeout time.Duration

	// MaxAttempts is the number of consecutive failed attempts (dials, and
	// associations that ended before Backoff.StableAfter) after which the
	// Supervisor gives up (state SupervisorGaveUp). Zero means it never
	// does.
	MaxAttempts int

	// StallTimeout is how long an association may hold outstanding data
	// without progress before it counts as stalled, is aborted and is
	// redialed: the peer's receive window stays 0, or the unacknowledged
	// data neither shrinks nor is followed by new data the kernel accepts,
	// and no SENDER_DRY arrives (docs/supervision.md has the exact rule).
	// The association is sampled (SCTP_STATUS) every StallTimeout/10,
	// between 10 ms and 1 s, so a stall is detected between StallTimeout
	// and StallTimeout plus one sample interval after progress stopped.
	// Zero means 30 s; a negative value turns stall detection off.
	StallTimeout time.Duration

	// Heartbeat, if not nil, is an application-level liveness check (an
	// M3UA BEAT, a Diameter DWR/DWA) run every HeartbeatInterval on the
	// current association, with a context that ends after
	// HeartbeatTimeout. An error counts as a stall (StallHeartbeat): the
	// association is aborted and redialed. It runs in its own goroutine
	// and may write on c; the answer typically arrives through Handler.
	// It must return once ctx ends: the association is not replaced
	// before it has.
	Heartbeat func(ctx context.Context, c *Conn) error

	// HeartbeatInterval is the time between Heartbeat calls; zero means
	// 10 s.
	HeartbeatInterval time.Duration

	// HeartbeatTimeout bounds each Heartbeat call; zero means
	// HeartbeatInterval.
	HeartbeatTimeout time.Duration

	// Handler, if not nil, receives every incoming message, whole, with
	// its stream and PPID, from the Supervisor's read loop. b is valid only
	// until Handler returns. While it runs nothing more is read from that
	// association (SCTP's receive window then closes on the peer: that is
	// flow control, not a stall of this side). A nil Handler drops incoming
	// messages; the association is read either way, since that is where
	// the kernel reports its end.
	Handler func(b []byte, info MsgInfo)

	// MaxMessageSize is the largest incoming message accepted; a longer one
	// ends the association. Zero means 1 MiB.
	MaxMessageSize int

	// OnEvent, if not nil, is called with every state change, in order,
	// from the Supervisor's goroutine: it must not block for long.
	//
	// Handler, OnEvent, OnNotification, Heartbeat and Setup run on the
	// Supervisor's goroutines, which Close and Shutdown wait for: call
	// those from a goroutine of your own (go s.Close()), not directly.
	OnEvent func(SupervisorEvent)

	// Dial, if not nil, makes each attempt instead of the Dialer's
	// DialSCTP, with the Supervisor's network and address and a context
	// bounded by ConnectTimeout: to dial from another network namespace or
	// VRF, or through a test seam.
	Dial func(ctx context.Context, network, address string) (*Conn, error)

	// OnNotification, if not nil, receives every SCTP notification of the
	// current association (EventAll: path changes, send failures...) from
	// the read loop, before the Supervisor acts on it; it must not block
	// for long. The Supervisor owns the association's notification
	// handler: do not set another one.
	OnNotification func(c *Conn, n Notification)

	// Setup, if not nil, is called with each new association before it is
	// handed out (socket options, a protocol's own handshake); an error
	// counts as a failed attempt. A notification handler it sets is
	// replaced by the Supervisor's (see OnNotification).
	Setup func(c *Conn) error

	// MaxQueuedBytes and MaxQueuedMessages bound what Send holds in user
	// space until the kernel takes it. Zero means 1 MiB and 4096.
	MaxQueuedBytes    int
	MaxQueuedMessages int
}

// withDefaults fills in the zero fields; d is the Dialer supervised.
func (c SupervisorConfig) withDefaults(d *Dialer) SupervisorConfig {
	c.Backoff = c.Backoff.withDefaults()
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = d.Timeout
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = 20 * time.Second
	}
	if c.StallTimeout == 0 {
		c.StallTimeout = 30 * time.Second
	}
	if c.HeartbeatInterval <= 0 {
		c.HeartbeatInterval = 10 * time.Second
	}
	if c.HeartbeatTimeout <= 0 {
		c.HeartbeatTimeout = c.HeartbeatInterval
	}
	if c.MaxMessageSize <= 0 {
		c.MaxMessageSize = 1 << 20
	}
	if c.MaxQueuedBytes <= 0 {
		c.MaxQueuedBytes = 1 << 20
	}
	if c.MaxQueuedMessages <= 0 {
		c.MaxQueuedMessages = 4096
	}
	return c
}

// stallSample is the interval between SCTP_STATUS samples for a stall
// timeout: a tenth of it, between 10 ms and 1 s.
func stallSample(timeout time.Duration) time.Duration {
	return min(max(timeout/10, 10*time.Millisecond), time.Second)
}

// SupervisorState is the state of a Supervisor, and what a
// SupervisorEvent reports entering.
type SupervisorState int

// The states of a Supervisor. SupervisorStalled is only an event: a
// stalled association is aborted and the Supervisor goes on to
// SupervisorDown.
const (
	SupervisorConnecting SupervisorState = iota // a dial is under way
	SupervisorUp                                // an association is up: Conn returns it
	SupervisorDown                              // waiting for the next attempt
	SupervisorStalled                           // the association stalled and is being aborted
	SupervisorGaveUp                            // MaxAttempts reached: no more attempts
	SupervisorClosed                            // Close, Shutdown or the context ended it
)

var supervisorStateNames = [...]string{"connecting", "up", "down", "stalled", "gave up", "closed"}

// String returns "connecting", "up", "down", "stalled", "gave up" or
// "closed".
func (s SupervisorState) String() string {
	if s >= 0 && int(s) < len(supervisorStateNames) {
		return supervisorStateNames[s]
	}
	return "SupervisorState(" + strconv.Itoa(int(s)) + ")"
}

// SupervisorEvent is one state change of a Supervisor.
type SupervisorEvent struct {
	Time  time.Time
	State SupervisorState
	// Attempt numbers the dials since the last association that stayed up
	// for Backoff.StableAfter, from 1 (SupervisorConnecting, and
	// SupervisorDown after a failed dial).
	Attempt int
	// Local, Remote and Primary describe the association that came up
	// (SupervisorUp): every local and peer address, and the primary path.
	Local, Remote *sctp.SCTPAddr
	Primary       net.IPAddr
	// Err is why: the dial's error or a *DownError (SupervisorDown), a
	// *StallError (SupervisorStalled), the last error (SupervisorGaveUp).
	Err error
	// NextAttempt is when the next dial starts (SupervisorDown).
	NextAttempt time.Time
}

// SupervisorStats are a Supervisor's counters since it started.
type SupervisorStats struct {
	State SupervisorState
	// Dials counts dial attempts, DialFailures the failed ones.
	Dials, DialFailures uint64
	// Reconnects counts associations that came up after the first one.
	Reconnects uint64
	// Stalls counts associations aborted as stalled (heartbeat failures
	// included).
	Stalls uint64
	// SentMessages and SentBytes count messages the kernel took;
	// ReceivedMessages and ReceivedBytes whole messages read.
	SentMessages, SentBytes         uint64
	ReceivedMessages, ReceivedBytes uint64
	// Dropped counts queued messages given up: by Close, on giving up, or
	// rejected by the kernel itself (a stream beyond the association's
	// outbound streams).
	Dropped uint64
	// QueuedMessages and QueuedBytes are what Send holds now.
	QueuedMessages, QueuedBytes int
}

// A Supervisor keeps one association to an address up: it dials, and
// when the association ends (COMM_LOST, RESTART, SHUTDOWN, an ABORT, a
// failed read or write, a stall) it redials with backoff, resolving the
// names again each time. Create one with Dialer.Supervise. Its methods are
// safe for concurrent use.
type Supervisor struct {
	d       Dialer
	network string
	address string
	cfg     SupervisorConfig
	ctx     context.Context
	cancel  context.CancelFunc
	q       *sendQueue
	done    chan struct{} // closed when the run loop has ended
	drain   chan drainRequest

	mu      sync.Mutex
	state   SupervisorState
	conn    *Conn
	gen     uint64 // number of associations that came up
	next    time.Time
	lastErr error
	changed chan struct{} // closed and replaced on every state change

	closed       atomic.Bool   // Close or Shutdown was called
	abortOnStop  atomic.Bool   // a Shutdown ran out of time: abort, do not close
	lastWriteGen atomic.Uint64 // gen of the association that took the last message
	stats        supervisorCounters
}

type supervisorCounters struct {
	dials, dialFailures, reconnects, stalls  atomic.Uint64
	sentMsgs, sentBytes, recvMsgs, recvBytes atomic.Uint64
	dropped                                  atomic.Uint64
}

// drainRequest asks the run loop to end the current association
// gracefully (Shutdown).
type drainRequest struct {
	ctx    context.Context
	result chan error
}
