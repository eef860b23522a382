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
// one that ends after accept is freed at once). A new handshake from the
// same address and port meets it: its INIT is answered, but its
// COOKIE-ECHO carries the new verification tag and the old association
// discards it without a word (the vtag check of sctp_sf_do_5_1D_ce, added
// in Linux 5.15 and backported to stable kernels), as it discards every
// retransmission, so the dial hangs in COOKIE_ECHOED until its deadline.
// TCP has no such trap: a reset connection leaves the lookup table at
// once. Dials that end associations and redial the same peer (a
// cancellation as the association comes up, a quick Close while the peer
// is slow to accept) draw such a port by the kernel's random pick now and
// then; the dialer skips those ports instead.
//
// The memory is bounded: at most portMemoryCap entries (the oldest go
// first), each kept for portMemoryTTL. Its zero value is empty and ready;
// it is safe for concurrent use.
type portMemory struct {
	newest atomic.Int64 // latest time added, +1; 0: never
	mu     sync.Mutex
	at     map[uint32]portSlot
	ring   []portEntry // insertion order, for eviction once full
	next   int         // ring slot to write next
	seq    uint64      // writes so far: tells a slot's entry from a renewal
}

// portSlot is when a key's association ended, and which write recorded it.
type portSlot struct {
	at  int64
	seq uint64
}

// portEntry is one ring slot: the key written and the write's number.
type portEntry struct {
	key uint32
	seq uint64
}

const (
	// portMemoryTTL is how long a port is avoided after its association
	// ended: as long as TCP's TIME_WAIT, and longer than an application
	// usually takes to accept and close an association that is gone.
	portMemoryTTL = 60 * time.Second
	// portMemoryCap bounds the entries (about 200 KiB when full), a
	// seventh of the default ephemeral range (32768–60999), so that a dial
	// avoiding them finds a free port on the first or second try.
	portMemoryCap = 4096
)

// monoEpoch anchors monoNow.
var monoEpoch = time.Now()

// monoNow is monotonic time in nanoseconds since the package was loaded.
func monoNow() int64 { return int64(time.Since(monoEpoch)) }

func portKey(local, peer int) uint32 { return uint32(local&0xffff)<<16 | uint32(peer&0xffff) }

func validPort(p int) bool { return p > 0 && p <= 0xffff }

// add records that the association from local port local to peer port
// peer ended at now. Times never go back: a key keeps its latest end,
// and active its latest add, whatever order concurrent adds take.
func (m *portMemory) add(local, peer int, now int64) {
	if !validPort(local) || !validPort(peer) {
		return
	}
	key := portKey(local, peer)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.at == nil {
		m.at = make(map[uint32]portSlot)
		m.ring = make([]portEntry, 0, portMemoryCap)
	}
	if old, ok := m.at[key]; ok && old.at > now {
		now = old.at
	}
	if len(m.ring) < portMemoryCap {
		m.ring = append(m.ring, portEntry{})
	} else if old := m.ring[m.next]; m.at[old.key].seq == old.seq {
		// The slot's entry was not renewed since: it is the oldest.
		delete(m.at, old.key)
	}
	m.seq++
	m.ring[m.next] = portEntry{key, m.seq}
	m.next = (m.next + 1) % portMemoryCap
	m.at[key] = portSlot{now, m.seq}
	if now+1 > m.newest.Load() {
		m.newest.Store(now + 1)
	}
}

// active reports whether anything was added within portMemoryTTL of now:
// while nothing was, a dial need not look its port up (nor bind first to
// learn it).
func (m *portMemory) active(now int64) bool {
	n := m.newest.Load()
	return n != 0 && now-(n-1) < int64(portMemoryTTL)
}

// endedAt reports when the association from local port local to peer port
// peer ended, if that was within portMemoryTTL of now.
func (m *portMemory) endedAt(local, peer int, now int64) (int64, bool) {
	if !validPort(local) || !validPort(peer) || !m.active(now) {
		return 0, false
	}
	m.mu.Lock()
	s, ok := m.at[portKey(local, peer)]
	m.mu.Unlock()
	if !ok || now-s.at >= int64(portMemoryTTL) {
		return 0, false
	}
	return s.at, true
}

// recent reports whether an association from local port local to peer
// port peer ended within portMemoryTTL of now.
func (m *portMemory) recent(local, peer int, now int64) bool {
	_, ok := m.endedAt(local, peer, now)
	return ok
}
