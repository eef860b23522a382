package sctpdial_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/sctpdial/sctpdial"
)

// Dial a multi-homed peer: every address of both hosts goes into one
// sctp_connectx call, and the context bounds the whole attempt.
func ExampleDialer_DialContext() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	var d sctpdial.Dialer
	conn, err := d.DialContext(ctx, "sctp", "192.0.2.1,198.51.100.1:3868")
	if err != nil {
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			log.Print("no path answered in time")
		case errors.Is(err, syscall.ECONNREFUSED):
			log.Print("the peer refused the association")
		}
		log.Fatal(err)
	}
	defer conn.Close()
	fmt.Println("connected to", conn.RemoteAddr())
}

// A Dialer with OverrideTCP serves net/http, which always asks for "tcp":
// the URL's host lists the server's addresses. IPv4 literals and names go
// in as they are ("http://192.0.2.1,198.51.100.1:8080/"); net/url takes a
// bracketed IPv6 literal only as the whole host, so build the URL with
// URLHost, which writes any listener's addresses, IPv6 included (see
// ExampleURLHost). ln.Addr().String() would not do: its '/' starts the
// URL's path.
func ExampleDialer_OverrideTCP() {
	ln, err := sctpdial.Listen("sctp", "192.0.2.1,198.51.100.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello over SCTP")
	}))

	d := &sctpdial.Dialer{OverrideTCP: true, Timeout: 5 * time.Second}
	client := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	resp, err := client.Get("http://" + sctpdial.URLHost(ln.Addr()) + "/")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Printf("%s", body)
}

// Listen on two local addresses; the kernel picks the port.
func ExampleListen() {
	ln, err := sctpdial.Listen("sctp", "192.0.2.1,198.51.100.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	fmt.Println("listening on", ln.Addr())
	for {
		conn, err := ln.Accept()
		if err != nil {
			return // closed
		}
		go func() {
			defer conn.Close()
			io.Copy(conn, conn) // echo
		}()
	}
}

// Bad addresses fail before any socket or lookup, with a typed error.
func ExampleDial_badAddress() {
	_, err := sctpdial.Dial("sctp", "192.0.2.1,,198.51.100.1:3868")
	fmt.Println(err)
	// Output: dial sctp: address 192.0.2.1,,198.51.100.1:3868: empty host in address list
}

// gRPC's WithContextDialer passes only the address: wrap DialContext.
// Use it as grpc.WithContextDialer(dialSCTP) with a target such as
// "passthrough:///192.0.2.1,198.51.100.1:50051".
func ExampleDialer_grpc() {
	d := &sctpdial.Dialer{KeepAlive: 10 * time.Second}
	dialSCTP := func(ctx context.Context, addr string) (net.Conn, error) {
		return d.DialContext(ctx, "sctp", addr)
	}
	_ = dialSCTP
}
