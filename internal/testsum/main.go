// Command testsum reads `go test -json` events on stdin and prints what
// `go test` prints without -v (a line per package, the output of failing
// tests and of failing packages, build errors), then a summary: per
// package its result, passed, failed and skipped tests (subtests
// included) and duration, totals, and every skipped test with the reason
// it gave, so a skip is visible without -v. With -v among its arguments
// it prints all output as it arrives; with -json it passes the events
// through unchanged.
//
// scripts/test.sh pipes go test into it; the script's exit status stays
// go test's. testsum itself exits 0 unless it cannot read its input.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "testsum:", err)
		os.Exit(1)
	}
}

// run reads events from r and writes to w as the arguments (go test's,
// as given to the script) ask.
func run(args []string, r io.Reader, w io.Writer) error {
	verbose := false
	for _, a := range args {
		switch a {
		case "-v", "-test.v", "-v=true":
			verbose = true
		case "-json":
			// The caller asked go test for JSON: pass it through.
			_, err := io.Copy(w, r)
			return err
		}
	}
	s := newSummary(w, verbose)
	if err := s.read(r); err != nil {
		return err
	}
	s.print()
	return nil
}
