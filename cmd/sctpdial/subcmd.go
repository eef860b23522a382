package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/sctpdial/sctpdial"
)

// parseSub parses the flags of a subcommand that takes no arguments. It
// returns -1 to go on, or the exit status to end with (-h, a bad flag, an
// argument).
func parseSub(fs *flag.FlagSet, args []string, usage string, stderr io.Writer) int {
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: "+usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sctpdial %s: unexpected arguments %q\n", fs.Name(), fs.Args())
		fs.Usage()
		return exitUsage
	}
	return -1
}

// reportSub turns a subcommand's result into its exit status, naming the
// step that failed.
func reportSub(stderr io.Writer, name string, err error) int {
	if err == nil {
		return exitOK
	}
	var se *stepError
	if errors.As(err, &se) {
		return report(stderr, name+": "+se.step, se.err)
	}
	return report(stderr, name, err)
}

// serveEcho accepts one association on ln and echoes it until it ends;
// the returned function closes ln and waits for that.
func serveEcho(ln *sctpdial.Listener) (stop func()) {
	served := make(chan struct{})
	go func() {
		defer close(served)
		if c, err := ln.AcceptSCTP(); err == nil {
			echo(c, &options{}, io.Discard)
			c.Close()
		}
	}()
	return func() { ln.Close(); <-served }
}
