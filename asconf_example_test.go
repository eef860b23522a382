package sctpdial_test

import (
	"context"
	"errors"
	"log"
	"net"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/sctpdial/sctpdial"
)

// Move a live association to a new local address: announce the new
// address, ask the peer to send to it, then withdraw the old one. Both
// ends must offer ASCONF (AddressChanges here, ListenConfig.AddressChanges
// or the sysctls on the peer); the new address must already be configured
// on this host.
func ExampleConn_AddLocalAddrs() {
	oldIP, newIP := net.ParseIP("192.0.2.1"), net.ParseIP("192.0.2.11")
	d := sctpdial.Dialer{
		Timeout:        5 * time.Second,
		AddressChanges: true,
		LocalAddr:      &sctp.SCTPAddr{IPAddrs: []net.IPAddr{{IP: oldIP}, {IP: net.ParseIP("198.51.100.1")}}},
	}
	conn, err := d.DialSCTP(context.Background(), "sctp", "192.0.2.2,198.51.100.2:3868")
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()

	var off *sctpdial.AddressChangeError
	if err := conn.AddLocalAddrs(newIP); errors.As(err, &off) {
		// Nothing was sent; the error names what to switch on.
		log.Fatalf("off here: %v, peer refused: %v (%v)", off.Off, off.Peer, err)
	} else if err != nil {
		log.Fatal(err)
	}
	if err := conn.SetPeerPrimary(newIP); err != nil {
		log.Fatal(err)
	}
	if err := conn.RemoveLocalAddrs(oldIP); err != nil {
		log.Fatal(err)
	}
	log.Print("now on ", conn.LocalAddr())
}
