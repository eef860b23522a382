package sctpdial

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// NotConnectedError is what Supervisor.Conn, Send (after its context
// ends) and WaitConn report while no association is up: the state, when
// the next attempt starts (zero while one is under way, or when there
// will be none) and the last failure.
type NotConnectedError struct {
	State       SupervisorState
	NextAttempt time.Time
	// Err is the last dial error or *DownError, if any.
	Err error
}

// Error names the state, the next attempt and the last failure.
func (e *NotConnectedError) Error() string {
	var b strings.Builder
	b.WriteString("sctpdial: not connected (")
	b.WriteString(e.State.String())
	if !e.NextAttempt.IsZero() {
		b.WriteString(", next attempt at ")
		b.WriteString(e.NextAttempt.Format(time.RFC3339Nano))
	}
	b.WriteString(")")
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns Err.
func (e *NotConnectedError) Unwrap() error { return e.Err }

// DownError says why a supervised association ended. errors.Is and
// errors.As see through it to Err: syscall.ECONNRESET for the peer's
// ABORT, io.EOF for a completed shutdown, a *StallError.
type DownError struct {
	// Op is where the end showed: "read", "write", "notification",
	// "status" or "stall".
	Op string
	// Notification is the AssocChange (COMM_LOST, RESTART,
	// SHUTDOWN_COMP) or Shutdown that ended the association, if one did.
	Notification Notification
	// Err is the read, write or status error, or the *StallError.
	Err error
	// Uptime is how long the association was up.
	Uptime time.Duration
}

// Error says how long the association was up and what ended it.
func (e *DownError) Error() string {
	s := "sctpdial: association down after " + e.Uptime.Round(time.Millisecond).String() + " (" + e.Op
	switch n := e.Notification.(type) {
	case AssocChange:
		s += " " + n.State.String()
		if n.Error != 0 {
			s += ", cause " + strconv.Itoa(int(n.Error))
		}
	case Shutdown:
		s += " SHUTDOWN from the peer"
	}
	s += ")"
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns Err.
func (e *DownError) Unwrap() error { return e.Err }

// StallReason is what made a StallError.
type StallReason int

// The reasons of a StallError.
const (
	// StallWindowClosed: data was outstanding and the peer's receive
	// window stayed 0 (its application stopped reading).
	StallWindowClosed StallReason = iota + 1
	// StallNoProgress: unacknowledged data neither shrank nor made room
	// for new data, and no SENDER_DRY came.
	StallNoProgress
	// StallHeartbeat: SupervisorConfig.Heartbeat failed.
	StallHeartbeat
)

// String returns "window closed", "no progress" or "heartbeat failed".
func (r StallReason) String() string {
	switch r {
	case StallWindowClosed:
		return "window closed"
	case StallNoProgress:
		return "no progress"
	case StallHeartbeat:
		return "heartbeat failed"
	}
	return "StallReason(" + strconv.Itoa(int(r)) + ")"
}

// StallError reports a stalled association, which the Supervisor aborted.
type StallError struct {
	Reason StallReason
	// For is how long the association went without progress (zero for a
	// heartbeat failure).
	For time.Duration
	// Unacked and PeerRWND are the last SCTP_STATUS sample (DATA chunks
	// unacknowledged, the peer's window in bytes); Queued the messages
	// waiting in user space.
	Unacked  uint16
	PeerRWND uint32
	Queued   int
	// Err is the heartbeat's error (StallHeartbeat).
	Err error
}

// Error gives the reason and the last sample.
func (e *StallError) Error() string {
	if e.Reason == StallHeartbeat {
		return fmt.Sprintf("sctpdial: association stalled: heartbeat failed: %v", e.Err)
	}
	return fmt.Sprintf("sctpdial: association stalled: %v for %v (unacked chunks %d, peer window %d bytes, %d messages queued)",
		e.Reason, e.For.Round(time.Millisecond), e.Unacked, e.PeerRWND, e.Queued)
}

// Unwrap returns Err.
func (e *StallError) Unwrap() error { return e.Err }

// String describes the event for a log line: "up 192.0.2.1/198.51.100.1:3868
// (primary 192.0.2.1)", "down: ... (next attempt in 1.6s)", "connecting
// (attempt 2)", "stalled: ...", "gave up: ...", "closed". The time is left
// to the logger.
func (e SupervisorEvent) String() string {
	s := e.State.String()
	switch e.State {
	case SupervisorConnecting:
		return s + " (attempt " + strconv.Itoa(e.Attempt) + ")"
	case SupervisorUp:
		if e.Remote != nil {
			s += " " + e.Remote.String()
		}
		if e.Primary.IP != nil {
			s += " (primary " + e.Primary.String() + ")"
		}
		return s
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.State == SupervisorDown && !e.NextAttempt.IsZero() {
		s += " (next attempt in " + e.NextAttempt.Sub(e.Time).Round(time.Millisecond).String() + ")"
	}
	return s
}
