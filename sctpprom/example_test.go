package sctpprom_test

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/sctpdial/sctpdial"
	"github.com/sctpdial/sctpdial/sctpprom"
)

// Export a Diameter association's statistics and the dials' outcomes for
// Prometheus to scrape.
func ExampleCollector() {
	col := sctpprom.NewCollector(sctpprom.Opts{})
	reg := prometheus.NewRegistry()
	reg.MustRegister(col)
	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	go func() { log.Fatal(http.ListenAndServe("127.0.0.1:9464", nil)) }()

	// Dials under the Collector's trace count into sctp_dials_total and
	// sctp_dial_duration_seconds.
	ctx := sctpdial.WithDialTrace(context.Background(), col.DialTrace())
	var d sctpdial.Dialer
	conn, err := d.DialSCTP(ctx, "sctp", "192.0.2.1,198.51.100.1:3868")
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	// Its counters and paths are read at every scrape, labelled
	// assoc="hss-1"; closing it drops them at the next scrape.
	col.Track(conn, "hss-1")
	// ... use conn ...
}

// Result names a dial's outcome as the result label of sctp_dials_total
// does.
func ExampleResult() {
	refused := &net.OpError{Op: "dial", Net: "sctp", Err: os.NewSyscallError("sctp_connectx", syscall.ECONNREFUSED)}
	timedOut := &net.OpError{Op: "dial", Net: "sctp", Err: context.DeadlineExceeded}
	fmt.Println(sctpprom.Result(nil), sctpprom.Result(refused), sctpprom.Result(timedOut))
	// Output: ok refused timeout
}
