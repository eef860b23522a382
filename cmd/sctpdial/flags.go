package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"
)

// options are the netcat mode's flags.
type options struct {
	ipv4, ipv6 bool
	timeout    time.Duration
	local      string
	stream     uint
	ppid       uint
	unordered  bool
	streams    uint
	msgMode    string
	quiet      time.Duration
	listen     bool
	keep       bool
	echo       bool
	info       bool
	watch      bool
	interval   time.Duration
	verbose    bool

	addr string // the one argument
}

// errUsage is returned with the usage already printed.
var errUsage = errors.New("usage")

// parseOptions parses the netcat mode's arguments. -h prints the manual
// to stdout (and returns flag.ErrHelp); other mistakes return errUsage
// after a message on stderr.
func parseOptions(args []string, stdout, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("sctpdial", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&o.ipv4, "4", false, "")
	fs.BoolVar(&o.ipv6, "6", false, "")
	fs.DurationVar(&o.timeout, "t", 10*time.Second, "")
	fs.StringVar(&o.local, "local", "", "")
	fs.UintVar(&o.stream, "stream", 0, "")
	fs.UintVar(&o.ppid, "ppid", 0, "")
	fs.BoolVar(&o.unordered, "unordered", false, "")
	fs.UintVar(&o.streams, "streams", 10, "")
	fs.StringVar(&o.msgMode, "msg", "read", "")
	fs.DurationVar(&o.quiet, "q", time.Second, "")
	fs.BoolVar(&o.listen, "l", false, "")
	fs.BoolVar(&o.keep, "k", false, "")
	fs.BoolVar(&o.echo, "echo", false, "")
	fs.BoolVar(&o.info, "info", false, "")
	fs.BoolVar(&o.watch, "watch", false, "")
	fs.DurationVar(&o.interval, "interval", time.Second, "")
	fs.BoolVar(&o.verbose, "v", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			io.WriteString(stdout, manual)
			return nil, err
		}
		return nil, usageError(stderr, "%v", err)
	}
	var problem string
	switch {
	case fs.NArg() == 0:
		problem = "missing address (HOST[,HOST...]:PORT)"
	case fs.NArg() > 1:
		problem = fmt.Sprintf("one address expected, got %q (options go before the address)", fs.Args())
	case o.ipv4 && o.ipv6:
		problem = "-4 and -6 exclude each other"
	case o.stream > 0xffff:
		problem = "-stream must be below 65536"
	case o.ppid > 0xffffffff:
		problem = "-ppid must fit in 32 bits"
	case o.streams == 0 || o.streams > 0xffff:
		problem = "-streams must be between 1 and 65535"
	case o.msgMode != "read" && o.msgMode != "line":
		problem = fmt.Sprintf("-msg must be \"read\" or \"line\", not %q", o.msgMode)
	case (o.keep || o.echo) && !o.listen:
		problem = "-k and -echo need -l"
	case o.listen && o.local != "":
		problem = "-local is for connecting; give -l the addresses to listen on"
	case o.info && o.watch:
		problem = "-info prints once, -watch keeps printing: choose one"
	case o.interval <= 0:
		problem = "-interval must be positive"
	case o.timeout < 0:
		problem = "-t must not be negative"
	}
	if problem != "" {
		return nil, usageError(stderr, "%s", problem)
	}
	o.addr = fs.Arg(0)
	return o, nil
}

func usageError(stderr io.Writer, format string, args ...any) error {
	fmt.Fprintf(stderr, "sctpdial: "+format+"\n", args...)
	fmt.Fprintln(stderr, "usage: sctpdial [options] HOST[,HOST...]:PORT | -l [options] [HOSTS]:PORT | demo; sctpdial -h for the manual")
	return errUsage
}

// network is the package's network name for -4/-6.
func (o *options) network() string {
	switch {
	case o.ipv4:
		return "sctp4"
	case o.ipv6:
		return "sctp6"
	}
	return "sctp"
}
