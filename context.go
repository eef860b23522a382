package sctpdial

import (
	"context"
	"os"
	"time"
)

// The errors below reproduce package net's internal errCanceled and
// errTimeout, so that a failed SCTP dial reports context errors with the
// same text and errors.Is behaviour as net.Dialer does, plus one match net
// lacks: the timeout is also errors.Is os.ErrDeadlineExceeded, the error a
// net.Dialer returns when its poller deadline fires before its context.
var (
	// errCanceled replaces context.Canceled in dial errors.
	errCanceled error = canceledError{}

	// errTimeout replaces context.DeadlineExceeded in dial errors, and is
	// also what an expired Dialer.Timeout or Dialer.Deadline reports.
	errTimeout error = &timeoutError{}
)

// canceledError keeps the historical "operation was canceled" text of
// package net while still matching context.Canceled with errors.Is.
type canceledError struct{}

func (canceledError) Error() string { return "operation was canceled" }

// Is reports whether err is context.Canceled.
func (canceledError) Is(err error) bool { return err == context.Canceled }

// timeoutError keeps the historical "i/o timeout" text of package net. It
// is a net.Error whose Timeout method reports true.
type timeoutError struct{}

func (e *timeoutError) Error() string { return "i/o timeout" }

// Timeout reports true: this error always means a deadline passed.
func (e *timeoutError) Timeout() bool { return true }

// Temporary reports true, as package net's timeout error does.
func (e *timeoutError) Temporary() bool { return true }

// Is reports whether err is context.DeadlineExceeded, as in package net,
// or os.ErrDeadlineExceeded, which callers may test for after a deadline
// on a connection.
func (e *timeoutError) Is(err error) bool {
	return err == context.DeadlineExceeded || err == os.ErrDeadlineExceeded
}

// mapCtxErr turns context.Canceled into errCanceled and
// context.DeadlineExceeded into errTimeout, leaving other errors alone.
//
// As in package net, only the bare context errors are mapped. An error
// that merely wraps one (a *net.DNSError, say) already carries its own
// description, and rewriting it would lose that.
func mapCtxErr(err error) error {
	switch err {
	case context.Canceled:
		return errCanceled
	case context.DeadlineExceeded:
		return errTimeout
	default:
		return err
	}
}

// foldDeadline returns the earliest of now+timeout, deadline and ctx's
// deadline, ignoring the ones that are not set, or the zero time if none
// is.
//
// As in net.Dialer, any non-zero timeout counts, negative ones included:
// a negative Timeout gives a deadline in the past, so the dial fails at
// once with a timeout, which is what net.Dialer callers get.
func foldDeadline(ctx context.Context, now time.Time, timeout time.Duration, deadline time.Time) time.Time {
	var earliest time.Time
	if timeout != 0 {
		earliest = now.Add(timeout)
	}
	if d, ok := ctx.Deadline(); ok {
		earliest = minNonzeroTime(earliest, d)
	}
	return minNonzeroTime(earliest, deadline)
}

// minNonzeroTime returns the earlier of a and b, treating the zero time as
// "no time" rather than as the earliest possible one.
func minNonzeroTime(a, b time.Time) time.Time {
	if a.IsZero() {
		return b
	}
	if b.IsZero() || a.Before(b) {
		return a
	}
	return b
}
