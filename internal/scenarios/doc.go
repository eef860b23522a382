// Package scenarios holds the multi-homing scenarios of the sctpdial
// package, played in internal/netlab's two-path topology: a dial whose
// first path is cut, a stream whose primary path dies, a path coming back,
// every path dying, a multi-homed client, a refusing address, an impaired
// path, and IPv6 and mixed topologies. It has tests only; their measured
// times are logged (go test -v) and collected in docs/multihoming.md.
package scenarios
