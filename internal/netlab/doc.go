// Package netlab builds a two-host network in Linux network namespaces for
// tests and demos: a client and a server namespace joined by two veth pairs,
// one per path, each on its own documentation subnet (IPv4, IPv6 or one of
// each). A path can be cut and restored (blackhole routes in both
// namespaces, so neither direction passes), impaired with delay and loss
// (netem on both ends), or made to hold back the client's packets of one
// SCTP chunk type only (DelayChunk). Sockets are made inside a namespace
// with NS.Do, which runs a function on a locked OS thread switched into
// it.
//
// It needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN), and sch_netem for
// impairments, with sch_prio and cls_u32 for DelayChunk; the test guest
// of internal/vmtest has them all. Only Linux builds it. See
// docs/testing.md for how a test uses it.
package netlab
