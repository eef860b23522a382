package sctpdial

import (
	"context"
	"time"
)

// INIT pacing: how a multi-address dial reaches every address within its
// deadline.
//
// The kernel sends the first INIT to the first address and each
// retransmission to the next one (sctp_sf_t1_init_timer_expire,
// sctp_assoc_choose_alter_transport), one T1-init timeout apart. That
// timeout starts at the association's initial RTO (net.sctp.rto_initial,
// 3 s by default; rto_min and rto_max do not clamp it) and doubles only
// after a full round over the addresses, up to
// InitMsg.MaxInitTimeout (sctp_cmd_t1_timer_update). With the defaults a
// dial whose first address is silent therefore needs 3 s before it even
// tries the second one, so Timeout: 3 * time.Second can never get there.
//
// So when a dial has two or more addresses and a deadline (the earliest of
// Timeout, Deadline and the context's), and the caller left RTO.Initial and
// InitMsg.MaxInitTimeout zero and DisableInitPacing false, the dial lowers
// the initial RTO to
//
//	clamp(remaining ÷ (addresses + 1), minInitPacing, kernel's rto_initial)
//
// where remaining is the time left before the deadline when the socket is
// set up. Every address then gets its first INIT by (addresses − 1) ÷
// (addresses + 1) of the deadline, leaving at least 2 ÷ (addresses + 1) of
// it for the handshake. If the kernel would give up before every address
// had one INIT (1 + InitMsg.MaxAttempts INITs, net.sctp.max_init_retransmits
// = 8 by default), MaxAttempts is raised to addresses − 1 too, unless the
// caller set it. Once the association is up, its RTO.Initial is set back
// (SCTP_RTOINFO) to the value read before the dial, so later timers and
// paths added afterwards use the normal value; a path whose round trip
// was never measured keeps the paced RTO until its first measurement
// (the kernel confirms new paths with HEARTBEATs at once).
//
// A single-address dial, a dial without a deadline, and a dial whose
// kernel initial RTO is already below the paced value are left as they
// are.

// minInitPacing is the smallest paced initial RTO: a few round trips on
// long-haul paths, so pacing does not turn into an INIT storm when the
// deadline is very short.
const minInitPacing = 100 * time.Millisecond

// initPacing is the pacing a dial asks for; nil means none. The Linux
// part fills in what it changed, so that it can be restored.
type initPacing struct {
	rto      time.Duration // the initial RTO to use at most
	addrs    int           // number of peer addresses
	attempts bool          // MaxAttempts may be raised to addrs − 1

	// Set while applying, on Linux.
	set     bool          // RTO.Initial was lowered
	orig    time.Duration // RTO.Initial before, to restore
	setInit uint32        // the value set, in ms, to tell a hook's change
}

// pacedInitRTO returns the initial RTO that gets every one of addrs
// addresses an INIT well within remaining, or 0 for no pacing (fewer than
// two addresses, or no time left).
func pacedInitRTO(addrs int, remaining time.Duration) time.Duration {
	if addrs < 2 || remaining <= 0 {
		return 0
	}
	return max(remaining/time.Duration(addrs+1), minInitPacing)
}

// initPacing returns the pacing for a dial to addrs addresses under ctx's
// (folded) deadline, or nil.
func (d *Dialer) initPacing(ctx context.Context, addrs int) *initPacing {
	if d.DisableInitPacing || d.RTO.Initial != 0 || d.Failover.RTO.Initial != 0 || d.InitMsg.MaxInitTimeout != 0 {
		return nil
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		return nil
	}
	rto := pacedInitRTO(addrs, time.Until(deadline))
	if rto == 0 {
		return nil
	}
	return &initPacing{rto: rto, addrs: addrs, attempts: d.InitMsg.MaxAttempts == 0}
}
