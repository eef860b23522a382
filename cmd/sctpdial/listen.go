package main

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/ishidawataru/sctp"
	"github.com/sctpdial/sctpdial"
)

// listen accepts one association (or, with -k, one after another) and
// echoes or pipes it.
func listen(ctx context.Context, o *options, stdin io.Reader, stdout, stderr io.Writer) error {
	lc := sctpdial.ListenConfig{InitMsg: sctp.InitMsg{NumOstreams: uint16(o.streams), MaxInstreams: uint16(o.streams)}}
	ln, err := lc.ListenSCTP(ctx, o.network(), o.addr)
	if err != nil {
		return failed("listening on "+o.addr, err)
	}
	fmt.Fprintf(stderr, "sctpdial: listening on %s\n", sctpdial.HostPort(ln.Addr()))
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	defer ln.Close()

	var wg sync.WaitGroup
	defer wg.Wait()
	var outMu sync.Mutex // -k: associations share stdout
	for {
		c, err := ln.AcceptSCTP()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return failed("accepting", err)
		}
		if o.verbose || o.watch {
			fmt.Fprintf(stderr, "sctpdial: association from %s\n", sctpdial.HostPort(c.RemoteAddr()))
		}
		if o.info || o.watch {
			printInfo(stderr, c)
		}
		serve := func() error {
			defer c.Close()
			defer context.AfterFunc(ctx, func() { c.Close() })()
			var stopWatch func()
			if o.watch {
				if stopWatch, err = watch(c, o.interval, stderr); err != nil {
					return failed("subscribing to notifications", err)
				}
				defer stopWatch()
			}
			if o.echo {
				return failed("association", echo(c, o, stderr))
			}
			in := stdin
			if o.keep {
				in = nil // several associations cannot share stdin
			}
			return failed("association", pipe(ctx, c, o, in, lockedWriter{&outMu, stdout}, stderr))
		}
		if !o.keep {
			return serve()
		}
		wg.Go(func() {
			if err := serve(); err != nil {
				report(stderr, "association from "+sctpdial.HostPort(c.RemoteAddr()), err)
			}
		})
	}
}

// lockedWriter serialises writes of concurrent associations.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
