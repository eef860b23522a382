package vmtest

import "os"

// Environment variables shared by the runner, the guest and the tests.
const (
	// EnvRequireSCTP, when "1", tells tests that kernel SCTP must be
	// available: a test that would skip for lack of SCTP fails instead.
	// The runner sets it both natively and in the guest.
	EnvRequireSCTP = "SCTPDIAL_REQUIRE_SCTP"

	// EnvGuest is "1" inside the guest, where the fixtures below exist.
	EnvGuest = "SCTPDIAL_GUEST"
)

// Guest fixtures. Every address is from the documentation ranges
// (RFC 5737, RFC 3849), so nothing here can reach a real network: the guest
// has no network card at all.
const (
	// LocalIPv4A and LocalIPv4B are global-scope IPv4 addresses assigned to
	// the guest's dummy0 interface: a listener can bind them and a dialer
	// reach them over the local route.
	LocalIPv4A = "192.0.2.250"
	LocalIPv4B = "192.0.2.251"

	// LocalIPv6A and LocalIPv6B are the IPv6 counterparts (DAD disabled,
	// so they are usable as soon as the guest is up).
	LocalIPv6A = "2001:db8:beef::250"
	LocalIPv6B = "2001:db8:beef::251"

	// SilentIPv4 and SilentIPv6 are silent peers: the routes for
	// SilentPrefixIPv4 and SilentPrefixIPv6 point into dummy0, which
	// swallows every packet, so an INIT sent there is never answered and a
	// non-blocking connect stays in progress until the caller gives up.
	SilentIPv4       = "203.0.113.7"
	SilentIPv6       = "2001:db8:dead::7"
	SilentPrefixIPv4 = "203.0.113.0/24"
	SilentPrefixIPv6 = "2001:db8:dead::/48"
)

// Host names in the guest's /etc/hosts, each with every address listed in
// Hosts, in that order.
const (
	HostMulti4      = "multi4.sctpdial.test"      // LocalIPv4A, LocalIPv4B
	HostMulti6      = "multi6.sctpdial.test"      // LocalIPv6A, LocalIPv6B
	HostMixed       = "mixed.sctpdial.test"       // LocalIPv4A, LocalIPv6A
	HostSilentFirst = "silentfirst.sctpdial.test" // SilentIPv4, LocalIPv4A
	HostSilent      = "silent.sctpdial.test"      // SilentIPv4
)

// Hosts is the guest's /etc/hosts content as a name → addresses map.
var Hosts = map[string][]string{
	HostMulti4:      {LocalIPv4A, LocalIPv4B},
	HostMulti6:      {LocalIPv6A, LocalIPv6B},
	HostMixed:       {LocalIPv4A, LocalIPv6A},
	HostSilentFirst: {SilentIPv4, LocalIPv4A},
	HostSilent:      {SilentIPv4},
}

// InGuest reports whether the calling program runs inside the guest, where
// the fixtures above are in place.
func InGuest() bool { return os.Getenv(EnvGuest) == "1" }

// SCTPRequired reports whether the environment says kernel SCTP must be
// available (see EnvRequireSCTP).
func SCTPRequired() bool { return os.Getenv(EnvRequireSCTP) == "1" }
