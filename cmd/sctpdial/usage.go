package main

// manual is what -h prints.
const manual = `NAME
    sctpdial - connect to, listen on and inspect multi-homed SCTP associations

SYNOPSIS
    sctpdial [options] HOST[,HOST...]:PORT            connect, pipe stdin/stdout
    sctpdial -l [options] [HOST[,HOST...]]:PORT       listen
    sctpdial -info [options] HOST[,HOST...]:PORT      print the association, exit
    sctpdial -watch [options] HOST[,HOST...]:PORT     print path changes live
    sctpdial demo [-addrs A,B] [-silent ADDR]         the package's demo
    sctpdial failover [-family F] [-within D]         live failover in two namespaces

DESCRIPTION
    Connect mode resolves every HOST to all of its addresses and opens one
    association to all of them with a single sctp_connectx: the kernel sends
    the INIT to the first address and retries the others. Standard input is
    sent as messages on -stream with -ppid; messages received are written to
    standard output. When standard input ends, sctpdial waits -q for more
    data from the peer, then shuts the association down gracefully (SCTP
    has no half-close: a SHUTDOWN stops the peer sending too).

    Listen mode (-l) binds every address of every HOST (none: all local
    addresses) and accepts one association, or one after another with -k.
    With -echo it sends every message back on its stream with its PPID
    (with -k, to every association at once); otherwise it pipes as connect
    mode does. With -k and without -echo, received data goes to standard
    output and standard input is not read.

    The failover subcommand (root, network namespaces) builds a client and
    a server namespace joined by two paths, echoes messages between them
    under sctpdial.FailoverWithin(-within, default 1s), cuts the primary
    path, prints path states and notifications as they change and the
    longest stall, then restores the path. -family ipv4, ipv6 or mixed
    picks the paths' addresses; -down and -up fix how long the path stays
    cut and how long to go on after the restore.

    IPv6 literals go in brackets: [2001:db8::1],192.0.2.1:3868.

OPTIONS
    -4, -6          IPv4 or IPv6 addresses only (networks sctp4, sctp6)
    -t DURATION     give up connecting after DURATION (default 10s; 0: the
                    kernel's INIT retransmissions decide)
    -local A,B      bind these local addresses (optionally :PORT) first
    -stream N       send on stream N (default 0)
    -ppid N         payload protocol identifier to send (default 0; e.g. 46
                    Diameter, 60 NGAP, 3 M3UA)
    -unordered      send unordered messages
    -streams N      outbound and inbound streams to ask for (default 10)
    -msg MODE       what one message is: "read" (each read of stdin, the
                    default) or "line" (each line, newline included)
    -q DURATION     connect mode: after stdin ends, wait this long for the
                    peer (default 1s; negative: until the peer closes);
                    a listener always serves until the peer closes
    -l              listen
    -k              with -l: keep accepting associations
    -echo           with -l: echo messages back
    -info           connect, print the association (addresses, path states,
                    primary, RTO, SRTT, cwnd, MTU per path, streams, the
                    extensions negotiated: PR-SCTP, RECONFIG, I-DATA,
                    ASCONF, AUTH, ECN) and exit
    -watch          also print path-state changes and notifications as they
                    happen, on standard error, until the association ends or
                    SIGINT; stdin ending does not end it
    -interval D     with -watch: how often path states are read (default 1s)
    -v              report associations and each message's stream and PPID
                    on standard error

EXIT STATUS
    0  success
    1  failure not listed below (the message names the errno)
    2  usage error
    3  connection refused: the peer answered with ABORT, nothing listens on
       that port
    4  timed out: no address answered (peer down, SCTP filtered on the way,
       wrong address, or -t too short)
    5  no route to the peer or network unreachable
    6  bad address or name: syntax, DNS lookup failure, wrong family
    7  this kernel has no SCTP: load it with "modprobe sctp" (on Ubuntu it is
       in linux-modules-extra-$(uname -r); in a container the host must load
       it), or run in a QEMU guest with vmexec

EXAMPLES
    echo ping | sctpdial 192.0.2.1,198.51.100.1:7
    sctpdial -info mme-a.example,mme-b.example:36412
    sctpdial -watch -ppid 46 192.0.2.1,198.51.100.1:3868
    sctpdial -l -k -echo 192.0.2.1,198.51.100.1:7
    sctpdial -l :3868 > received.bin
    sctpdial failover -within 2s -family mixed
`
