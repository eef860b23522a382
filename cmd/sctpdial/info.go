package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/sctpdial/sctpdial"
)

// printInfo prints the association as the kernel sees it: state,
// streams, addresses, the primary path and every path's figures.
func printInfo(w io.Writer, c *sctpdial.Conn) error {
	st, err := c.Status()
	if err != nil {
		return err
	}
	paths, err := c.Paths()
	if err != nil {
		return err
	}
	features, err := c.Features()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "association\tid %d, %v\n", st.AssocID, st.State)
	fmt.Fprintf(tw, "features\t%v\n", features)
	fmt.Fprintf(tw, "streams\tout %d, in %d\n", st.OutStreams, st.InStreams)
	fmt.Fprintf(tw, "local\t%s\n", sctpdial.HostPort(c.LocalAddr()))
	fmt.Fprintf(tw, "peer\t%s\n", sctpdial.HostPort(c.RemoteAddr()))
	fmt.Fprintf(tw, "primary\t%v\n", st.Primary.Addr.IP)
	fmt.Fprintf(tw, "peer rwnd\t%d bytes, fragmentation point %d bytes\n", st.PeerRWND, st.FragmentationPoint)
	tw.Flush()
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "path\tstate\trto\tsrtt\tcwnd\tmtu\t")
	for _, p := range paths {
		primary := ""
		if p.Addr.IP.Equal(st.Primary.Addr.IP) {
			primary = "primary"
		}
		fmt.Fprintf(tw, "%v\t%v\t%v\t%s\t%d\t%d\t%s\n", p.Addr.IP, p.State, p.RTO, srtt(p), p.Cwnd, p.MTU, primary)
	}
	tw.Flush()
	fmt.Fprintln(w, "(features: extensions both ends agreed on in the handshake. rto: a path's retransmission timeout; until a path has carried data or a heartbeat it keeps net.sctp.rto_initial, 3s by default, and measured paths move toward rto_min, 1s. srtt: smoothed round trip, '-' before the first measurement, counted in kernel ticks (4ms at HZ=250).)")
	return nil
}

// srtt prints the smoothed RTT; "-" before the first measurement (see
// PathInfo.SRTT).
func srtt(p sctpdial.PathInfo) string {
	switch {
	case p.SRTTRaw == 0:
		return "-"
	case p.SRTT == 0: // tick rate unknown
		return fmt.Sprintf("%d ticks", p.SRTTRaw)
	}
	return p.SRTT.String()
}
