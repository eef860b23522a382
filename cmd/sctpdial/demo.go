package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/sctpdial/sctpdial"
	"github.com/sctpdial/sctpdial/sctptest"
)

// runDemo is "sctpdial demo": it listens on two local addresses, dials
// both with one sctp_connectx, exchanges messages on two streams with
// their payload protocol identifiers, prints the association as the
// kernel sees it, cancels a dial to a peer that never answers, and
// dials a list whose first address is that peer. Run
// it with ./scripts/demo.sh, which uses a QEMU guest when this kernel
// lacks SCTP.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	addrs, silent := "127.0.0.1,127.0.0.2", ""
	if sctptest.InGuest() {
		// The guest's global addresses, and a prefix routed into a
		// device that drops everything (see docs/testing.md).
		addrs = sctptest.LocalIPv4A + "," + sctptest.LocalIPv4B
		silent = sctptest.SilentIPv4
	}
	fs.StringVar(&addrs, "addrs", addrs, "local addresses to listen on, comma-separated (IPv6 with or without brackets)")
	fs.StringVar(&silent, "silent", silent, "an address that never answers, for the cancellation demo (empty: skip)")
	if code := parseSub(fs, args, "sctpdial demo [-addrs A,B] [-silent ADDR]", stderr); code >= 0 {
		return code
	}
	return reportSub(stderr, "demo", demo(ctx, stdout, addrs, silent))
}

func demo(ctx context.Context, w io.Writer, addrs, silent string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	streams := sctp.InitMsg{NumOstreams: 4, MaxInstreams: 4}

	lc := sctpdial.ListenConfig{InitMsg: streams}
	ln, err := lc.ListenSCTP(ctx, "sctp", bracketList(addrs)+":0")
	if err != nil {
		return failed("-addrs "+addrs, err)
	}
	defer ln.Close()
	target := sctpdial.HostPort(ln.Addr())
	fmt.Fprintf(w, "listening on   %s\n", target)
	defer serveEcho(ln)()

	d := sctpdial.Dialer{InitMsg: streams, Timeout: 5 * time.Second}
	start := time.Now()
	c, err := d.DialSCTP(ctx, "sctp", target)
	if err != nil {
		return failed("dialing "+target, err)
	}
	defer c.Close()
	fmt.Fprintf(w, "dialed         %s with one sctp_connectx in %v\n\n", target, time.Since(start).Round(time.Microsecond))

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
			return failed("sending", err)
		}
		n, info, err := c.ReadMsg(buf)
		if err != nil {
			return failed("receiving", err)
		}
		fmt.Fprintf(w, "echo           stream %d  ppid %-3d  %q\n", info.Stream, info.PPID, buf[:n])
	}

	st, err := c.Status()
	if err != nil {
		return failed("reading the status", err)
	}
	paths, err := c.Paths()
	if err != nil {
		return failed("reading the paths", err)
	}
	fmt.Fprintf(w, "\nassociation    id %d, %v, streams out %d / in %d\n", st.AssocID, st.State, st.OutStreams, st.InStreams)
	fmt.Fprintf(w, "local          %s\n", sctpdial.HostPort(c.LocalAddr()))
	fmt.Fprintf(w, "peer           %s\n", sctpdial.HostPort(c.RemoteAddr()))
	fmt.Fprintf(w, "primary path   %v (rto %v)\n", st.Primary.Addr.IP, st.Primary.RTO)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  path\tstate\trto\tcwnd\tmtu")
	for _, p := range paths {
		fmt.Fprintf(tw, "  %v\t%v\t%v\t%d\t%d\n", p.Addr.IP, p.State, p.RTO, p.Cwnd, p.MTU)
	}
	tw.Flush()
	fmt.Fprintln(w, "  (The messages went over the primary path, so its RTO comes from measured")
	fmt.Fprintln(w, "  round trips, floored at net.sctp.rto_min, 1s by default. The other path has")
	fmt.Fprintln(w, "  carried nothing yet and keeps the initial RTO until heartbeats measure it:")
	fmt.Fprintln(w, "  net.sctp.rto_initial, 3s by default, or less when INIT pacing lowered it to")
	fmt.Fprintln(w, "  fit the dial's timeout, as for this 5s dial to two addresses.)")

	if silent == "" {
		fmt.Fprintln(w, "\n(no -silent address given: cancellation demo skipped)")
		return nil
	}
	// Resolve first, so that a slow lookup cannot be what the 300 ms
	// cancellation interrupts.
	ra, err := sctpdial.ResolveAddr(ctx, "sctp", bracketList(silent)+":9")
	if err != nil {
		return failed("-silent "+silent+": the name did not resolve, so there was no dial to cancel", err)
	}
	fmt.Fprintf(w, "\ndialing %s, which never answers; cancelling after 300ms\n", silent)
	cctx, ccancel := context.WithCancel(ctx)
	defer ccancel()
	time.AfterFunc(300*time.Millisecond, ccancel)
	start = time.Now()
	_, err = d.DialContext(cctx, "sctp", sctpdial.HostPort(ra))
	fmt.Fprintf(w, "after %v: %v\n", time.Since(start).Round(time.Millisecond), err)
	fmt.Fprintf(w, "errors.Is(err, context.Canceled) = %v\n", errors.Is(err, context.Canceled))
	if !errors.Is(err, context.Canceled) {
		return failed("-silent "+silent+": the dial ended before it was cancelled (the address answers, or has no route)", err)
	}
	first, _, _ := strings.Cut(addrs, ",")
	if ip := net.ParseIP(first); ip != nil && ip.IsLoopback() {
		// The first address sets the association's scope: a global
		// silent peer and a loopback address cannot share one.
		fmt.Fprintln(w, "\n(-addrs are loopback: the dead-first-address demo needs global addresses, skipped)")
		return nil
	}
	return deadFirst(ctx, w, silent, first, sctpdial.Port(ln.Addr()))
}

// deadFirst dials a list whose first address never answers: the kernel
// sends the first INIT there and its retransmission to the next address,
// after an RTO the Dialer paced to fit the deadline.
func deadFirst(ctx context.Context, w io.Writer, silent, live string, port int) error {
	target := bracketList(silent+","+live) + ":" + strconv.Itoa(port)
	timeout := 5 * time.Second
	fmt.Fprintf(w, "\ndialing %s: the first address is dead; timeout %v\n", target, timeout)
	var pacing sctpdial.InitPacing
	var done sctpdial.ConnectDoneInfo
	tctx := sctpdial.WithDialTrace(ctx, &sctpdial.DialTrace{
		ConnectStart: func(i sctpdial.ConnectStartInfo) { pacing = i.Pacing },
		ConnectDone:  func(i sctpdial.ConnectDoneInfo) { done = i },
	})
	d := sctpdial.Dialer{Timeout: timeout}
	c, err := d.DialSCTP(tctx, "sctp", target)
	if err != nil {
		return failed("dialing "+target, err)
	}
	defer c.Close()
	fmt.Fprintf(w, "connected in %v through %v after %d INITs\n", done.Elapsed.Round(time.Millisecond), done.Answered, done.INITs)
	if pacing.Chosen {
		fmt.Fprintf(w, "  (INIT pacing set the first INIT's timeout to %v so that both addresses get one\n", pacing.RTOInitial.Round(time.Millisecond))
		fmt.Fprintln(w, "  within the timeout; the kernel's own, net.sctp.rto_initial, is 3s by default.)")
	}
	return nil
}
