// Package sctptest helps test code that uses SCTP, in the spirit of
// net/http/httptest: RequireSCTP skips a test where the kernel has no
// SCTP (and fails it where SCTP must be there), and the constants name
// the network fixtures of the QEMU guest that cmd/vmexec boots on
// machines without SCTP, so that tests can bind several local addresses,
// dial a peer that never answers and resolve names with several records.
//
// Run a module's tests with the runner:
//
//	go install github.com/sctpdial/sctpdial/cmd/vmexec@latest
//	go test -exec vmexec ./...
//
// vmexec runs each test binary natively where the kernel has SCTP, and
// otherwise in a throw-away guest with the sctp module and these
// fixtures; either way it sets SCTPDIAL_REQUIRE_SCTP=1, so that
// RequireSCTP fails instead of skipping.
package sctptest

import (
	"maps"
	"slices"
	"testing"

	"github.com/sctpdial/sctpdial/internal/vmtest"
)

// Environment variables the runner sets.
const (
	// EnvRequireSCTP is "1" when kernel SCTP must be available (set by
	// vmexec natively and in the guest): RequireSCTP then fails rather
	// than skips.
	EnvRequireSCTP = vmtest.EnvRequireSCTP
	// EnvGuest is "1" inside the guest, where the fixtures exist.
	EnvGuest = vmtest.EnvGuest
)

// The guest's fixtures. Every address is from the documentation ranges
// (RFC 5737, RFC 3849); the guest has no network card, so nothing can
// reach a real network.
const (
	// LocalIPv4A and LocalIPv4B are assigned to the guest's dummy0
	// interface: bind a listener to both and dial them for a two-path
	// association.
	LocalIPv4A = vmtest.LocalIPv4A
	LocalIPv4B = vmtest.LocalIPv4B
	// LocalIPv6A and LocalIPv6B are the IPv6 counterparts, usable at
	// once (duplicate address detection is off).
	LocalIPv6A = vmtest.LocalIPv6A
	LocalIPv6B = vmtest.LocalIPv6B

	// SilentIPv4 and SilentIPv6 never answer: their prefixes
	// (SilentPrefixIPv4, SilentPrefixIPv6) are routed into dummy0, which
	// drops every packet, so a connect stays in progress until the
	// caller's deadline or cancellation. Use them to test timeouts.
	SilentIPv4       = vmtest.SilentIPv4
	SilentIPv6       = vmtest.SilentIPv6
	SilentPrefixIPv4 = vmtest.SilentPrefixIPv4
	SilentPrefixIPv6 = vmtest.SilentPrefixIPv6
)

// Names in the guest's /etc/hosts; Hosts lists their addresses.
const (
	HostMulti4      = vmtest.HostMulti4      // LocalIPv4A, LocalIPv4B
	HostMulti6      = vmtest.HostMulti6      // LocalIPv6A, LocalIPv6B
	HostMixed       = vmtest.HostMixed       // LocalIPv4A, LocalIPv6A
	HostSilentFirst = vmtest.HostSilentFirst // SilentIPv4, LocalIPv4A
	HostSilent      = vmtest.HostSilent      // SilentIPv4
)

// Hosts returns the guest's /etc/hosts entries as name → addresses, in
// the file's order (a fresh map each call).
func Hosts() map[string][]string {
	m := maps.Clone(vmtest.Hosts)
	for k, v := range m {
		m[k] = slices.Clone(v)
	}
	return m
}

// InGuest reports whether the program runs inside vmexec's guest, where
// the fixtures above are in place.
func InGuest() bool { return vmtest.InGuest() }

// HasSCTP reports whether this kernel opens an SCTP socket, with the
// error of socket(2) when it does not (EPROTONOSUPPORT without the sctp
// module).
func HasSCTP() (bool, error) { return vmtest.HostHasSCTP() }

// RequireSCTP skips the test when the kernel has no SCTP, with a hint on
// how to get it, unless EnvRequireSCTP is "1" (under vmexec): then it
// fails the test, so that a run through the runner never passes by
// skipping.
func RequireSCTP(t testing.TB) {
	t.Helper()
	ok, err := vmtest.HostHasSCTP()
	if ok {
		return
	}
	if vmtest.SCTPRequired() {
		t.Fatalf("kernel SCTP is required here (%s=1) but socket(IPPROTO_SCTP) failed: %v", EnvRequireSCTP, err)
	}
	t.Skipf("kernel SCTP unavailable (%v): load it with `modprobe sctp`, or run the tests with `go test -exec vmexec` (go install github.com/sctpdial/sctpdial/cmd/vmexec@latest)", err)
}

// RequireGuest is RequireSCTP plus the guest's fixtures: outside the
// guest the test is skipped (failed, when EnvRequireSCTP is "1" and the
// kernel lacks SCTP).
func RequireGuest(t testing.TB) {
	t.Helper()
	RequireSCTP(t)
	if !vmtest.InGuest() {
		t.Skip("needs the network fixtures of vmexec's guest: run with `go test -exec vmexec` on a machine without SCTP, or set them up as sctptest documents")
	}
}
