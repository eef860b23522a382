package main

import (
	"context"
	"errors"
	"flag"
	"io"
)

// runNetcat is everything but the demo: connect, listen, -info, -watch.
func runNetcat(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, err := parseOptions(args, stdout, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case err != nil:
		return exitUsage
	}
	if o.listen {
		err = listen(ctx, o, stdin, stdout, stderr)
	} else {
		err = connect(ctx, o, stdin, stdout, stderr)
	}
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return exitInterrupted
	case errors.Is(err, errReported):
		return exitFailure
	}
	var se *stepError
	if errors.As(err, &se) {
		return report(stderr, se.step, se.err)
	}
	return report(stderr, "error", err)
}

// stepError names what was being done when err happened.
type stepError struct {
	step string
	err  error
}

func (e *stepError) Error() string { return e.step + ": " + e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

func failed(step string, err error) error {
	if err == nil {
		return nil
	}
	return &stepError{step, err}
}

// errReported ends a run whose problem is already on stderr.
var errReported = errors.New("reported")
