// Command testsum reads `go test -json` events on stdin and prints what
// `go test` prints without -v (a line per package, the output of failing
// tests and of failing packages, build errors), then a summary: per
// package its result, passed, failed and skipped tests (subtests
// included) and duration, totals, and every skipped test with the reason
// it gave, so a skip is visible without -v. With -v among its arguments
// it prints all output as it arrives.
//
// scripts/test.sh pipes go test into it; the script's exit status stays
// go test's. testsum itself exits 0 unless it cannot read its input.
package main

import (
	"fmt"
	"os"
)

func main() {
	verbose := false
	for _, a := range os.Args[1:] {
		if a == "-v" || a == "-test.v" || a == "-v=true" {
			verbose = true
		}
	}
	s := newSummary(os.Stdout, verbose)
	if err := s.read(os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "testsum:", err)
		os.Exit(1)
	}
	s.print()
}
