package sctphttptrace_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptrace"

	"github.com/sctpdial/sctpdial"
	"github.com/sctpdial/sctpdial/sctphttptrace"
)

// Trace an http.Client over SCTP: the Transport dials through
// DialContext, and a request's ClientTrace sees the association's connect
// as it would a TCP one.
func ExampleDialContext() {
	d := &sctpdial.Dialer{OverrideTCP: true}
	client := &http.Client{Transport: &http.Transport{DialContext: sctphttptrace.DialContext(d)}}

	trace := &httptrace.ClientTrace{
		DNSDone: func(i httptrace.DNSDoneInfo) { fmt.Println("resolved:", i.Addrs, i.Err) },
		// addr is every address of the association: "192.0.2.1,192.0.2.2:80".
		ConnectStart: func(network, addr string) { fmt.Println("connecting:", network, addr) },
		ConnectDone: func(network, addr string, err error) {
			fmt.Println("connected:", addr, err)
		},
		GotConn: func(i httptrace.GotConnInfo) {
			fmt.Println("peer addresses:", sctpdial.HostPort(i.Conn.RemoteAddr()), "reused:", i.Reused)
		},
	}
	req, err := http.NewRequest("GET", "http://192.0.2.1,192.0.2.2:80/", nil)
	if err != nil {
		log.Fatal(err)
	}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	resp, err := client.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
}
