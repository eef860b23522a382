// Command sctpdial is a netcat for multi-homed SCTP built on the sctpdial
// package: it connects to "h1,h2:port" with one sctp_connectx and pipes
// standard input and output, listens on several local addresses, prints
// an association's paths once (-info) or live (-watch), and runs the
// package's demo (sctpdial demo). Run sctpdial -h for the manual.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole command: args without the program name, and the
// exit status to use. Cancelling ctx ends it as SIGINT does.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "demo":
			return runDemo(ctx, args[1:], stdout, stderr)
		case "failover":
			return runFailover(ctx, args[1:], stdout, stderr)
		}
	}
	return runNetcat(ctx, args, stdin, stdout, stderr)
}
