package sctpdial_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/sctpdial/sctpdial"
)

// The address grammar: hosts separated by ',' (or '/'), one port, IPv6
// literals in brackets. ResolveAddr applies it without dialing; literals
// need no lookup. "sctp4" and "sctp6" keep one family.
func ExampleResolveAddr() {
	ctx := context.Background()
	for _, tc := range []struct{ network, address string }{
		{"sctp", "192.0.2.1,[2001:db8::1]:3868"},
		{"sctp", "192.0.2.1/198.51.100.1:3868"}, // ishidawataru/sctp's SCTPAddr.String form
		{"sctp4", "192.0.2.1,[2001:db8::1]:3868"},
		{"sctp6", "192.0.2.1,[2001:db8::1]:3868"},
		{"sctp", "192.0.2.1,192.0.2.1:3868"}, // duplicates dropped
		{"sctp", "[2001:db8::1%eth0]:3868"},  // zones by name or number
		{"sctp", "192.0.2.1:0"},              // port 0: the kernel chooses (for listening)
	} {
		a, err := sctpdial.ResolveAddr(ctx, tc.network, tc.address)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%-5s %-30s → %s\n", tc.network, tc.address, sctpdial.HostPort(a))
	}
	// Output:
	// sctp  192.0.2.1,[2001:db8::1]:3868   → 192.0.2.1,[2001:db8::1]:3868
	// sctp  192.0.2.1/198.51.100.1:3868    → 192.0.2.1,198.51.100.1:3868
	// sctp4 192.0.2.1,[2001:db8::1]:3868   → 192.0.2.1:3868
	// sctp6 192.0.2.1,[2001:db8::1]:3868   → [2001:db8::1]:3868
	// sctp  192.0.2.1,192.0.2.1:3868       → 192.0.2.1:3868
	// sctp  [2001:db8::1%eth0]:3868        → [2001:db8::1%eth0]:3868
	// sctp  192.0.2.1:0                    → 192.0.2.1:0
}

// Malformed addresses fail before any lookup or socket, with a
// *net.OpError around a *net.AddrError that names the problem.
func ExampleDial_addressErrors() {
	for _, address := range []string{
		"192.0.2.1,198.51.100.1",     // no port
		"192.0.2.1,:3868",            // empty host
		"2001:db8::1,192.0.2.1:3868", // IPv6 literal without brackets
		"192.0.2.1:0",                // port 0 cannot be dialed
		"224.0.0.1:3868",             // multicast: not for SCTP
	} {
		_, err := sctpdial.Dial("sctp", address)
		var op *net.OpError
		var ae *net.AddrError
		if errors.As(err, &op) && errors.As(err, &ae) {
			fmt.Printf("%s %s: %s\n", op.Op, op.Net, ae.Err)
		}
	}
	// Output:
	// dial sctp: missing port in address
	// dial sctp: empty host in address list
	// dial sctp: IPv6 literal must be enclosed in brackets
	// dial sctp: invalid port "0"
	// dial sctp: multicast address 224.0.0.1 cannot be dialed
}

// HostPort writes an address in the package's grammar, which dials back;
// Port spares a type assertion on *sctp.SCTPAddr.
func ExampleHostPort() {
	a := &sctp.SCTPAddr{
		IPAddrs: []net.IPAddr{{IP: net.ParseIP("192.0.2.1")}, {IP: net.ParseIP("2001:db8::1")}},
		Port:    3868,
	}
	fmt.Println(sctpdial.HostPort(a))
	fmt.Println(sctpdial.Port(a))
	fmt.Println(a) // ishidawataru/sctp's own form: a '/' that URLs read as a path
	// Output:
	// 192.0.2.1,[2001:db8::1]:3868
	// 3868
	// 192.0.2.1/[2001:db8::1]:3868
}

// URLHost writes an address as the host of an http URL that a Dialer
// with OverrideTCP dials back to every address. net/url allows a
// bracketed IPv6 literal only as the whole host, so in a list each IPv6
// address becomes its ipv6-literal.net name, which the grammar reads as
// the literal without any lookup.
func ExampleURLHost() {
	for _, ips := range [][]string{
		{"192.0.2.1", "198.51.100.1"},
		{"2001:db8::1"},
		{"2001:db8::1", "2001:db8::2"},
		{"192.0.2.1", "2001:db8::2"},
	} {
		a := &sctp.SCTPAddr{Port: 8080}
		for _, ip := range ips {
			a.IPAddrs = append(a.IPAddrs, net.IPAddr{IP: net.ParseIP(ip)})
		}
		fmt.Println("http://" + sctpdial.URLHost(a) + "/")
	}
	// Output:
	// http://192.0.2.1,198.51.100.1:8080/
	// http://[2001:db8::1]:8080/
	// http://2001-db8--1.ipv6-literal.net,2001-db8--2.ipv6-literal.net:8080/
	// http://192.0.2.1,2001-db8--2.ipv6-literal.net:8080/
}

// Send and receive on streams with payload protocol identifiers. The
// stream must be below the negotiated count: ask for streams with InitMsg.
func ExampleConn_WriteMsg() {
	d := sctpdial.Dialer{InitMsg: sctp.InitMsg{NumOstreams: 4, MaxInstreams: 4}}
	c, err := d.DialSCTP(context.Background(), "sctp", "192.0.2.1,198.51.100.1:3868")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	const diameterPPID = 46
	if _, err := c.WriteMsg([]byte("CER"), &sctpdial.MsgInfo{Stream: 1, PPID: diameterPPID}); err != nil {
		log.Fatal(err)
	}
	buf := make([]byte, 64<<10)
	n, info, err := c.ReadMsg(buf)
	if errors.Is(err, sctpdial.ErrPartialMessage) {
		log.Print("message longer than the buffer: the rest follows")
	} else if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d bytes on stream %d, PPID %d, flags %v\n", n, info.Stream, info.PPID, info.Flags)
}

// Watch the association's paths and lifecycle. The handler runs in the
// goroutine calling Read, so keep reading.
func ExampleConn_SetNotificationHandler() {
	var d sctpdial.Dialer
	c, err := d.DialSCTP(context.Background(), "sctp", "192.0.2.1,198.51.100.1:3868")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	err = c.SetNotificationHandler(sctpdial.EventAssocChange|sctpdial.EventPeerAddrChange, func(n sctpdial.Notification) {
		switch n := n.(type) {
		case sctpdial.PeerAddrChange:
			log.Printf("path %v: %v", &n.Addr, n.State)
		case sctpdial.AssocChange:
			log.Printf("association: %v", n.State)
		}
	})
	if err != nil {
		log.Fatal(err)
	}
	io.Copy(io.Discard, c) // reading delivers the notifications
}

// Status and Paths show the association as the kernel sees it: state,
// streams, the primary path and each peer address with its RTO and SRTT.
func ExampleConn_Paths() {
	var d sctpdial.Dialer
	c, err := d.DialSCTP(context.Background(), "sctp", "192.0.2.1,198.51.100.1:3868")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	st, err := c.Status()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%v, streams out %d in %d, primary %v\n", st.State, st.OutStreams, st.InStreams, &st.Primary.Addr)
	paths, err := c.Paths()
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range paths {
		fmt.Printf("  %v %v rto %v srtt %v cwnd %d\n", &p.Addr, p.State, p.RTO, p.SRTT, p.Cwnd)
	}
}

// A listener that chooses its streams and reports the port the kernel
// picked, with AcceptSCTP for the SCTP methods.
func ExampleListenConfig_ListenSCTP() {
	lc := sctpdial.ListenConfig{InitMsg: sctp.InitMsg{NumOstreams: 8, MaxInstreams: 8}}
	ln, err := lc.ListenSCTP(context.Background(), "sctp", "192.0.2.1,198.51.100.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	fmt.Println("port", sctpdial.Port(ln.Addr()))
	ln.SetDeadline(time.Now().Add(time.Minute))
	c, err := ln.AcceptSCTP()
	if err != nil {
		log.Fatal(err) // a timeout after a minute: errors.Is(err, os.ErrDeadlineExceeded)
	}
	defer c.Close()
	fmt.Println("peer", sctpdial.HostPort(c.RemoteAddr()))
}

// Hand an association to code written for ishidawataru/sctp, which needs
// an *sctp.SCTPConn.
func ExampleConn_IntoSCTPConn() {
	var d sctpdial.Dialer
	c, err := d.DialSCTP(context.Background(), "sctp", "192.0.2.1,198.51.100.1:3868")
	if err != nil {
		log.Fatal(err)
	}
	sc, err := c.IntoSCTPConn() // c is consumed
	if err != nil {
		log.Fatal(err)
	}
	defer sc.Close()
	sc.SCTPWrite([]byte("CER"), &sctp.SndRcvInfo{PPID: 46})
}

// The kernel's enumerations print by name.
func ExampleMsgFlags_String() {
	fmt.Println(sctpdial.MsgUnordered | sctpdial.MsgSackImmediately)
	fmt.Println(sctpdial.PathActive, sctpdial.PathPF, sctpdial.StateEstablished, sctpdial.AddrMadePrimary, sctpdial.CommLost)
	// Output:
	// Unordered|SackImmediately
	// ACTIVE PF ESTABLISHED ADDR_MADE_PRIM COMM_LOST
}

// Which protocol extensions the two ends agreed on; sctpdial -info prints
// the same line.
func ExampleConn_Features() {
	var d sctpdial.Dialer
	c, err := d.DialSCTP(context.Background(), "sctp", "192.0.2.1,198.51.100.1:3868")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	f, err := c.Features()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("features:", f) // for example "PR-SCTP ECN" between two Linux defaults
	if !f.ASCONF {
		fmt.Println("no address changes on this association")
	}
}

// Features print by the extensions' usual names.
func ExampleFeatures_String() {
	fmt.Println(sctpdial.Features{PartialReliability: true, ECN: true})
	fmt.Println(sctpdial.Features{})
	// Output:
	// PR-SCTP ECN
	// none
}

// Tune failure detection for a signalling link: a lower RTO ceiling,
// heartbeats every second and a path declared dead after two
// retransmissions, applied before the INIT.
func ExampleDialer_pathTuning() {
	d := sctpdial.Dialer{
		Timeout:    5 * time.Second,
		RTO:        sctpdial.RTOInfo{Initial: 500 * time.Millisecond, Min: 200 * time.Millisecond, Max: 2 * time.Second},
		PathParams: sctpdial.PathParams{HeartbeatInterval: time.Second, PathMaxRetrans: 2},
	}
	c, err := d.DialSCTP(context.Background(), "sctp", "192.0.2.1,198.51.100.1:3868")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	rto, _ := c.RTOInfo()
	fmt.Println("rto", rto.Min, rto.Initial, rto.Max)
}
