package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/sctpdial/sctpdial"
)

// connect dials o.addr and then prints it (-info), or pipes (with -watch
// reporting changes as they happen).
func connect(ctx context.Context, o *options, stdin io.Reader, stdout, stderr io.Writer) error {
	d := sctpdial.Dialer{
		Timeout: o.timeout,
		InitMsg: sctp.InitMsg{NumOstreams: uint16(o.streams), MaxInstreams: uint16(o.streams)},
	}
	if o.local != "" {
		la, err := localAddr(ctx, o.network(), o.local)
		if err != nil {
			return failed("-local "+o.local, err)
		}
		d.LocalAddr = la
	}
	start := time.Now()
	c, err := d.DialSCTP(ctx, o.network(), o.addr)
	if err != nil {
		return failed("connecting to "+o.addr, err)
	}
	defer c.Close()
	if o.verbose || o.watch {
		fmt.Fprintf(stderr, "sctpdial: connected to %s in %v\n", sctpdial.HostPort(c.RemoteAddr()), time.Since(start).Round(time.Microsecond))
	}
	if o.info {
		return failed("reading the association", printInfo(stdout, c))
	}
	if o.watch {
		if err := printInfo(stderr, c); err != nil {
			return failed("reading the association", err)
		}
		stop, err := watch(c, o.interval, stderr)
		if err != nil {
			return failed("subscribing to notifications", err)
		}
		defer stop()
	}
	return failed("association", pipe(ctx, c, o, stdin, stdout, stderr))
}
