package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"
)

// failoverFlags are the options of "sctpdial failover".
type failoverFlags struct {
	family string
	within time.Duration
	down   time.Duration
	up     time.Duration
}

// runFailover is "sctpdial failover": it builds two network namespaces
// joined by two paths, streams echoed messages between them with the
// policy sctpdial.FailoverWithin(-within), cuts the primary path, prints
// path states and notifications as they change, measures the longest
// stall, and restores the path. It needs root and network namespaces (the
// QEMU guest of ./scripts/demo.sh failover has both).
func runFailover(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("failover", flag.ContinueOnError)
	var o failoverFlags
	fs.StringVar(&o.family, "family", "ipv4", `the paths' addresses: "ipv4", "ipv6" or "mixed"`)
	fs.DurationVar(&o.within, "within", time.Second, "the failover bound given to sctpdial.FailoverWithin")
	fs.DurationVar(&o.down, "down", 0, "how long the path stays cut (default: until it is reported unreachable, at most 4×within)")
	fs.DurationVar(&o.up, "up", 0, "how long to go on after the restore (default: until it is reported available, at most 3×within)")
	if code := parseSub(fs, args, "sctpdial failover [-family ipv4|ipv6|mixed] [-within D] [-down D] [-up D]", stderr); code >= 0 {
		return code
	}
	if o.family != "ipv4" && o.family != "ipv6" && o.family != "mixed" {
		fmt.Fprintf(stderr, "sctpdial failover: -family must be \"ipv4\", \"ipv6\" or \"mixed\", not %q\n", o.family)
		return exitUsage
	}
	if o.within <= 0 || o.down < 0 || o.up < 0 {
		fmt.Fprintln(stderr, "sctpdial failover: -within must be positive, -down and -up not negative")
		return exitUsage
	}
	return reportSub(stderr, "failover", failoverDemo(ctx, stdout, o))
}
