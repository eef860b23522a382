package sctpdial

import (
	"sync"
	"sync/atomic"
	"time"
)

// endedPorts is the process's memory of the local ports its dials with a
// kernel-chosen port stopped using, each with the peer port it was
// associated with: see portMemory. It is package state, not a Dialer's,
// because the port space it tracks is the host's, shared by every Dialer
// (and by the Supervisor's redials, which copy theirs).
var endedPorts portMemory

// portMemory remembers recently ended associations by local and peer port,
// so that a dial can avoid an ephemeral port whose previous association the
// peer may still hold.
//
// Linux keeps an association that was aborted or shut down while it
// waited in a listener's accept queue in its lookup table, CLOSED, until
// the peer's application has accepted it and closed its socket (the state
// machine keeps it for accept, sctp_cmd_delete_tcb; sctp_close frees it;
// one that ends after accept is freed at once). A new
// handshake from the same address and port meets it: its INIT is answered,
// but its COOKIE-ECHO carries the new verification tag and the old
// association discards it without a word (the vtag check of
// sctp_sf_do_5_1D_ce, Linux 5.15 and the stable kernels since), as it
// discards every retransmission, so the dial hangs in COOKIE_ECHOED until
// its deadline. TCP has no such trap: a reset connection leaves the lookup
// table at once. Within one process, dials that end and redial the same
// peer quickly (cancellations, a Supervisor's redial, short-lived
// associations under load) draw a just-freed port by chance, once in
// tens of thousands of dials each; the dialer skips those ports instead.
//
// The memory is bounded: at most portMemoryCap entries, each kept for
// portMemoryTTL. Its zero value is empty and ready; it is safe for
// concurrent use.
type portMemory struct {
	newest atomic.Int64 // monotonic time of the latest add, +1; 0: never
	mu     sync.Mutex
	at     map[uint32]int64 // key → monotonic time it ended
	ring   []portEntry      // insertion order, for eviction once full
	next   int              // ring slot to write next
}

type portEntry struct {
	key uint32
	at  int64
}

const (
	// portMemoryTTL is how long a port is avoided after its association
	// ended: as long as TCP's TIME_WAIT, and longer than an application
	// usually takes to accept and close an association that is gone.
	portMemoryTTL = 60 * time.Second
	// portMemoryCap bounds the entries (about 100 KiB), a seventh of the
	// default ephemeral range (32768–60999), so that a dial avoiding them
	// finds a free port on the first or second try.
	portMemoryCap = 4096
)

// monoEpoch anchors monoNow.
var monoEpoch = time.Now()

// monoNow is monotonic time in nanoseconds since the package was loaded.
func monoNow() int64 { return int64(time.Since(monoEpoch)) }

func portKey(local, peer int) uint32 { return uint32(local&0xffff)<<16 | uint32(peer&0xffff) }

// add records that the association from local port local to peer port
// peer ended at now.
func (m *portMemory) add(local, peer int, now int64) {
	if local <= 0 || peer <= 0 {
		return
	}
	key := portKey(local, peer)
	m.mu.Lock()
	if m.at == nil {
		m.at = make(map[uint32]int64)
	}
	if len(m.ring) < portMemoryCap {
		m.ring = append(m.ring, portEntry{})
	} else if old := m.ring[m.next]; m.at[old.key] == old.at {
		delete(m.at, old.key)
	}
	m.ring[m.next] = portEntry{key, now}
	m.next = (m.next + 1) % portMemoryCap
	m.at[key] = now
	m.mu.Unlock()
	m.newest.Store(now + 1)
}

// active reports whether anything was added within portMemoryTTL of now:
// while nothing was, a dial need not look its port up (nor bind first to
// learn it).
func (m *portMemory) active(now int64) bool {
	n := m.newest.Load()
	return n != 0 && now-(n-1) < int64(portMemoryTTL)
}

// recent reports whether an association from local port local to peer
// port peer ended within portMemoryTTL of now.
func (m *portMemory) recent(local, peer int, now int64) bool {
	if !m.active(now) {
		return false
	}
	m.mu.Lock()
	at, ok := m.at[portKey(local, peer)]
	m.mu.Unlock()
	return ok && now-at < int64(portMemoryTTL)
}
