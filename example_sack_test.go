package sctpdial_test

import (
	"context"
	"fmt"
	"log"

	"github.com/sctpdial/sctpdial"
)

// A Diameter or NGAP client: every packet acknowledged at once, so no
// request or answer waits for a delayed SACK.
func ExampleSignallingProfile() {
	var d sctpdial.Dialer
	d.Apply(sctpdial.SignallingProfile())
	c, err := d.DialSCTP(context.Background(), "sctp", "192.0.2.1,198.51.100.1:3868")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	s, err := c.DelayedSACK()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("SACK every", s.Frequency, "packet")
}

// A server receiving bulk transfers: accepted associations inherit the
// listening socket's buffers.
func ExampleBulkProfile() {
	var lc sctpdial.ListenConfig
	lc.Apply(sctpdial.BulkProfile())
	ln, err := lc.Listen(context.Background(), "sctp", ":9899")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
}
