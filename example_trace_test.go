package sctpdial_test

import (
	"context"
	"fmt"
	"log"

	"github.com/sctpdial/sctpdial"
)

// See which address of a multi-homed dial answered and why the dial took
// as long as it did.
func ExampleWithDialTrace() {
	trace := &sctpdial.DialTrace{
		ResolveDone: func(i sctpdial.ResolveDoneInfo) {
			fmt.Println("resolved", i.Host, "to", i.Addrs, i.Err)
		},
		ConnectStart: func(i sctpdial.ConnectStartInfo) {
			fmt.Println("INIT to", i.Addrs, "first RTO", i.Pacing.RTOInitial)
		},
		ConnectDone: func(i sctpdial.ConnectDoneInfo) {
			if i.Err != nil {
				fmt.Println("failed after", i.Elapsed, i.Err)
				return
			}
			fmt.Println("up after", i.Elapsed, "with", i.INITs, "INITs; answered by", i.Answered, "primary", i.Primary)
		},
	}
	ctx := sctpdial.WithDialTrace(context.Background(), trace)
	var d sctpdial.Dialer
	conn, err := d.DialContext(ctx, "sctp", "mme.example.net,198.51.100.1:36412")
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
}

// Read an association's counters and its paths' figures.
func ExampleConn_AssocStats() {
	var d sctpdial.Dialer
	conn, err := d.DialSCTP(context.Background(), "sctp", "192.0.2.1,198.51.100.1:3868")
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()

	s, err := conn.AssocStats()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("retransmitted chunks:", s.RetransmittedChunks, "largest RTO:", s.MaxRTO, "on", s.MaxRTOAddr.String())
	paths, err := conn.Paths()
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range paths {
		fmt.Println(p.Addr.String(), p.State, "srtt", p.SRTT, "rto", p.RTO, "cwnd", p.Cwnd)
	}
	n := conn.NotificationCounts()
	fmt.Println("path changes seen:", n.PeerAddrChange)
}
