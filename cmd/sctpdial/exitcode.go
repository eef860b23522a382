package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
)

// Exit statuses; the manual lists them.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitRefused     = 3
	exitTimeout     = 4
	exitUnreachable = 5
	exitBadAddress  = 6
	exitNoSCTP      = 7
	exitInterrupted = 130 // 128 + SIGINT, as shells report it
)

// classify maps an error to an exit status and a hint at the likely
// cause ("" when the error says it all).
func classify(err error) (code int, hint string) {
	var errno syscall.Errno
	var dnsErr *net.DNSError
	var addrErr *net.AddrError
	var unknownNet net.UnknownNetworkError
	switch {
	case errors.Is(err, syscall.EPROTONOSUPPORT), errors.Is(err, syscall.ESOCKTNOSUPPORT),
		errors.Is(err, errors.ErrUnsupported):
		return exitNoSCTP, "this kernel has no SCTP: load it with `modprobe sctp` (Ubuntu: package linux-modules-extra-$(uname -r); in a container the host must load it), or run through vmexec, which uses a QEMU guest"
	case errors.Is(err, syscall.ECONNREFUSED):
		return exitRefused, "the peer answered with ABORT: nothing listens on that port there"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, syscall.ETIMEDOUT):
		return exitTimeout, "no address answered the INIT: the peer is down, SCTP (IP protocol 132) is filtered on the way, the address is wrong, or -t is too short"
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return exitUnreachable, "no route to the peer's addresses from this host (ip route get ADDR)"
	case errors.As(err, &dnsErr):
		return exitBadAddress, "the name did not resolve"
	case errors.As(err, &addrErr), errors.As(err, &unknownNet):
		return exitBadAddress, "addresses are HOST[,HOST...]:PORT with IPv6 literals in brackets"
	case errors.Is(err, syscall.EADDRINUSE):
		return exitFailure, "another socket already uses that local port"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return exitFailure, "a local address is not assigned to this host"
	case errors.Is(err, syscall.EACCES):
		return exitFailure, "ports below 1024 need CAP_NET_BIND_SERVICE"
	case errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNRESET):
		return exitFailure, "the peer aborted the association"
	case errors.As(err, &errno):
		return exitFailure, ""
	}
	return exitFailure, ""
}

// report prints err with its errno's name and the likely cause, and
// returns the exit status.
func report(stderr io.Writer, what string, err error) int {
	code, hint := classify(err)
	msg := fmt.Sprintf("sctpdial: %s: %v", what, err)
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if name := errnoName(errno); name != "" {
			msg += " (" + name + ")"
		}
	} else if errors.Is(err, context.DeadlineExceeded) {
		msg += " (timed out)"
	}
	fmt.Fprintln(stderr, msg)
	if hint != "" {
		fmt.Fprintln(stderr, "sctpdial: "+hint)
	}
	return code
}
