// Package sctpdial is a net.Dialer-compatible, multi-homed SCTP dialer for
// Linux, built on Go's runtime network poller.
//
// # Dialing
//
// [Dialer.DialContext] with network "sctp", "sctp4" or "sctp6" resolves
// every host of the address to all of its addresses, opens one
// non-blocking SOCK_STREAM SCTP socket, and makes one sctp_connectx(3)
// call with all of them: the kernel then owns path choice and INIT
// retransmission across the addresses. The dial waits on the runtime
// poller until the association is up, the deadline passes or the context
// is cancelled, so no OS thread ever blocks in a connect. Every other
// network is passed to a net.Dialer built from the same fields, so a
// Dialer can replace a net.Dialer wholesale.
//
// # Addresses
//
// An SCTP address is a list of hosts and one port:
//
//	"192.0.2.1,198.51.100.1:3868"      two IPv4 paths
//	"[2001:db8::1],192.0.2.1:3868"     IPv6 literals in brackets
//	"[fe80::1%eth0]:3868"              zones, by name or number
//	"mme-a.example,mme-b.example:36412" host names, each with all its records
//	"192.0.2.1/198.51.100.1:3868"      '/' also separates hosts, so the String
//	                                   form of ishidawataru/sctp's SCTPAddr dials back
//	"2001-db8--1.ipv6-literal.net:80"  the literal [2001:db8::1], for URLs (see URLHost)
//	":3868"                            the local system (127.0.0.1, or ::1 for sctp6)
//
// Hosts are separated by ',' (or '/'); the same port applies to all. The
// address is checked before any lookup or socket: empty hosts, missing or
// zero ports, stray brackets, whitespace and control characters, more than
// 64 hosts or 4096 bytes, and literals SCTP cannot use (unspecified,
// broadcast, multicast) are rejected with a *net.AddrError.
//
// # Resolution
//
// Host names are looked up concurrently through the Dialer's Resolver
// (net.DefaultResolver if nil), under the dial's context, and every
// address of every host is kept. Host order is priority order: the first
// address becomes the primary path and decides the association's address
// scope (a loopback first address cannot be mixed with global ones).
// Within one host the resolver's order is kept; Go's resolver sorts a
// name's addresses by RFC 6724 destination address selection (for
// /etc/hosts too), which puts an address without a route last.
// Duplicates are dropped, the first one kept. "sctp4" keeps IPv4 addresses
// only and "sctp6" IPv6 ones only (its socket is IPV6_V6ONLY, so the
// kernel also ignores IPv4 addresses the peer announces), for literals and
// names' records alike: "sctp4" with "192.0.2.1,[2001:db8::1]:9" dials
// 192.0.2.1, and a list of literals none of which is of the family fails
// at once with "no suitable address found", as package net does. If some hosts
// fail to resolve but at least one address remains, the dial goes ahead
// with the rest: surviving the loss of some paths is the point of
// multi-homing. If all fail, the DNS error is returned (several are
// joined). At most 256 addresses go into one association.
//
// # Deadlines and cancellation
//
// The earliest of Dialer.Timeout, Dialer.Deadline and the context's
// deadline bounds the whole dial, resolution included. Cancelling the
// context or reaching the deadline makes the poller give up at once, and
// the association the dial started is aborted (SO_LINGER 0), so the peer
// is not left holding a half-open one. A dial that succeeds at the same
// moment it is cancelled
// reports the context's error and closes the connection, as package net
// does. Without any deadline the kernel still gives up after its INIT
// retransmissions (net.sctp.max_init_retransmits, or Dialer.InitMsg) with
// ETIMEDOUT.
//
// # Errors
//
// Errors follow package net: a *net.OpError with Op "dial" whose Err is a
// *net.AddrError, *net.DNSError, net.UnknownNetworkError or an
// *os.SyscallError wrapping the errno, with Syscall "sctp_connectx" for
// the connect itself. errors.Is works for context.Canceled,
// context.DeadlineExceeded (with Timeout() true) and every errno, such as
// syscall.ECONNREFUSED or syscall.ETIMEDOUT. The connection is nil
// whenever the error is not. docs/errors.md maps each errno of
// sctp_connectx(3) to what Go code sees.
//
// # Connections
//
// The returned [*Conn] is a net.Conn on the runtime poller: deadlines work
// and Close unblocks a pending Read or Write (which then report
// net.ErrClosed). Its LocalAddr and RemoteAddr are *sctp.SCTPAddr values
// listing every address of the association. Write sends one message on
// stream 0; Read returns the incoming byte stream, so io.Copy and bufio
// work. [Conn.WriteMsg] and [Conn.ReadMsg] carry the stream, the payload
// protocol identifier (in host byte order) and flags, without allocating;
// ReadMsg reports a message larger than the buffer with
// [ErrPartialMessage]. [Conn.Status] and [Conn.Paths] show the
// association and each path; RTO, heartbeat and path options can be read
// and set, also on the Dialer before the handshake. Notifications are
// opt-in through [Conn.SetNotificationHandler] and never appear as data.
// [Conn.IntoSCTPConn] hands the association over to code written for
// ishidawataru/sctp.
//
// SCTP has no buffer autotuning: with the kernel's default receive buffer,
// 64 KiB messages stall on delayed SACKs, so a Dialer or ListenConfig asks
// for [DefaultReadBuffer] (1 MiB) unless ReadBuffer says otherwise (a
// negative one keeps the kernel's). [BulkProfile] (4 MiB buffers) and
// [SignallingProfile] (every packet acknowledged at once) set DelayedSACK,
// ReadBuffer and WriteBuffer for the two usual kinds of traffic;
// [Conn.SetDelayedSACK] changes a live association.
//
// [Listen] and [ListenConfig] serve the other side: one socket bound to
// every address of "h1,h2:port" (":0" and the unspecified address mean the
// wildcard, port 0 lets the kernel choose), with Accept on the poller.
package sctpdial
