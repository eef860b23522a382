// Command sctpdial shows the sctpdial package at work.
//
//	sctpdial demo [-addrs A,B] [-silent ADDR]
//
// The demo listens on two local addresses, dials both with one
// sctp_connectx, exchanges messages on two streams with their payload
// protocol identifiers, prints the association as the kernel sees it, and
// then cancels a dial to a peer that never answers. Run it with
// ./scripts/demo.sh, which uses a QEMU guest when this kernel lacks SCTP.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/sctpdial/sctpdial"
	"github.com/sctpdial/sctpdial/internal/vmtest"
)

func main() {
	if len(os.Args) < 2 || os.Args[1] != "demo" {
		fmt.Fprintln(os.Stderr, "usage: sctpdial demo [-addrs A,B] [-silent ADDR]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet("demo", flag.ExitOnError)
	addrs, silent := "127.0.0.1,127.0.0.2", ""
	if vmtest.InGuest() {
		// The guest's global addresses, and a prefix routed into a
		// device that drops everything (see docs/testing.md).
		addrs = vmtest.LocalIPv4A + "," + vmtest.LocalIPv4B
		silent = vmtest.SilentIPv4
	}
	fs.StringVar(&addrs, "addrs", addrs, "local addresses to listen on, comma-separated")
	fs.StringVar(&silent, "silent", silent, "an address that never answers, for the cancellation demo (empty: skip)")
	fs.Parse(os.Args[2:])
	if err := demo(os.Stdout, addrs, silent); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func demo(w io.Writer, addrs, silent string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	streams := sctp.InitMsg{NumOstreams: 4, MaxInstreams: 4}

	lc := sctpdial.ListenConfig{InitMsg: streams}
	ln, err := lc.ListenSCTP(ctx, "sctp", addrs+":0")
	if err != nil {
		return err
	}
	defer ln.Close()
	fmt.Fprintf(w, "listening on   %v\n", ln.Addr())
	go echo(ln)

	// The listener's address prints as "a/b:port", which dials back.
	target := ln.Addr().String()
	d := sctpdial.Dialer{InitMsg: streams, Timeout: 5 * time.Second}
	start := time.Now()
	c, err := d.DialSCTP(ctx, "sctp", target)
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Fprintf(w, "dialed         %s in %v\n\n", target, time.Since(start).Round(time.Microsecond))

	msgs := []struct {
		text   string
		stream uint16
		ppid   uint32
	}{
		{"hello on stream 0 (Diameter)", 0, 46},
		{"hello on stream 1 (NGAP)", 1, 60},
	}
	buf := make([]byte, 256)
	for _, m := range msgs {
		if _, err := c.WriteMsg([]byte(m.text), &sctpdial.MsgInfo{Stream: m.stream, PPID: m.ppid}); err != nil {
			return err
		}
		n, info, err := c.ReadMsg(buf)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "echo           stream %d  ppid %-3d  %q\n", info.Stream, info.PPID, buf[:n])
	}

	st, err := c.Status()
	if err != nil {
		return err
	}
	paths, err := c.Paths()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nassociation    id %d, %v, streams out %d / in %d\n", st.AssocID, st.State, st.OutStreams, st.InStreams)
	fmt.Fprintf(w, "local          %v\n", c.LocalAddr())
	fmt.Fprintf(w, "peer           %v\n", c.RemoteAddr())
	fmt.Fprintf(w, "primary path   %v (rto %v)\n", st.Primary.Addr.IP, st.Primary.RTO)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  path\tstate\trto\tcwnd\tmtu")
	for _, p := range paths {
		fmt.Fprintf(tw, "  %v\t%v\t%v\t%d\t%d\n", p.Addr.IP, p.State, p.RTO, p.Cwnd, p.MTU)
	}
	tw.Flush()

	if silent == "" {
		fmt.Fprintln(w, "\n(no -silent address given: cancellation demo skipped)")
		return nil
	}
	fmt.Fprintf(w, "\ndialing %s, which never answers; cancelling after 300ms\n", silent)
	cctx, ccancel := context.WithCancel(ctx)
	time.AfterFunc(300*time.Millisecond, ccancel)
	start = time.Now()
	_, err = d.DialContext(cctx, "sctp", silent+":9")
	fmt.Fprintf(w, "after %v: %v\n", time.Since(start).Round(time.Millisecond), err)
	fmt.Fprintf(w, "errors.Is(err, context.Canceled) = %v\n", errors.Is(err, context.Canceled))
	if !errors.Is(err, context.Canceled) {
		return errors.New("the cancelled dial did not report context.Canceled")
	}
	return nil
}

// echo sends every message back on its stream with its PPID.
func echo(ln *sctpdial.Listener) {
	for {
		c, err := ln.AcceptSCTP()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			buf := make([]byte, 64<<10)
			for {
				n, info, err := c.ReadMsg(buf)
				if err != nil {
					return
				}
				if _, err := c.WriteMsg(buf[:n], &sctpdial.MsgInfo{Stream: info.Stream, PPID: info.PPID}); err != nil {
					return
				}
			}
		}()
	}
}
