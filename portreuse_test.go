package sctpdial

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPortMemory(t *testing.T) {
	const ttl = int64(portMemoryTTL)
	type op struct {
		add        bool // else check
		local      int
		peer       int
		at         int64
		wantRecent bool
	}
	for _, tt := range []struct {
		name string
		ops  []op
	}{
		{"zero value is empty", []op{
			{local: 40000, peer: 9899, at: 1},
			{local: 0, peer: 0, at: 0},
		}},
		{"an ended pair is recent", []op{
			{add: true, local: 40000, peer: 9899, at: 10},
			{local: 40000, peer: 9899, at: 10, wantRecent: true},
			{local: 40000, peer: 9899, at: 10 + ttl - 1, wantRecent: true},
		}},
		{"until the TTL passes", []op{
			{add: true, local: 40000, peer: 9899, at: 10},
			{local: 40000, peer: 9899, at: 10 + ttl},
		}},
		{"other pairs are not", []op{
			{add: true, local: 40000, peer: 9899, at: 10},
			{local: 40001, peer: 9899, at: 11},
			{local: 40000, peer: 9898, at: 11},
			{local: 9899, peer: 40000, at: 11},
		}},
		{"a later end renews the pair", []op{
			{add: true, local: 40000, peer: 9899, at: 10},
			{add: true, local: 40000, peer: 9899, at: 10 + ttl/2},
			{local: 40000, peer: 9899, at: 10 + ttl, wantRecent: true},
			{local: 40000, peer: 9899, at: 10 + ttl/2 + ttl},
		}},
		{"an expired pair among live ones", []op{
			{add: true, local: 40000, peer: 9899, at: 10},
			{add: true, local: 40001, peer: 9899, at: 10 + ttl/2},
			{local: 40000, peer: 9899, at: 10 + ttl},
			{local: 40001, peer: 9899, at: 10 + ttl, wantRecent: true},
		}},
		{"ports that are no ports are ignored", []op{
			{add: true, local: 0, peer: 9899, at: 10},
			{add: true, local: 40000, peer: 0, at: 10},
			{add: true, local: -1, peer: 9899, at: 10},
			{add: true, local: 65536, peer: 9899, at: 10},
			{add: true, local: 40000, peer: 65536 + 9899, at: 10},
			{local: 0, peer: 9899, at: 11},
			{local: 40000, peer: 0, at: 11},
			{local: 65535, peer: 9899, at: 11},
			{local: 65536, peer: 9899, at: 11},
			{local: 40000, peer: 9899, at: 11},
		}},
		{"an older end does not shorten a newer one", []op{
			{add: true, local: 40000, peer: 9899, at: ttl},
			{add: true, local: 40000, peer: 9899, at: 10}, // a concurrent add that read the clock first
			{local: 40000, peer: 9899, at: 10 + ttl, wantRecent: true},
			{local: 40000, peer: 9899, at: 2 * ttl},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var m portMemory
			for i, o := range tt.ops {
				if o.add {
					m.add(o.local, o.peer, o.at)
					continue
				}
				require.Equal(t, o.wantRecent, m.recent(o.local, o.peer, o.at), "op %d: %+v", i, o)
			}
		})
	}
}

func TestPortMemoryActive(t *testing.T) {
	var m portMemory
	require.False(t, m.active(0))
	require.False(t, m.active(int64(time.Hour)))
	m.add(40000, 9899, 0) // monotonic time 0 is a time like any other
	require.True(t, m.active(0))
	require.True(t, m.active(int64(portMemoryTTL)-1))
	require.False(t, m.active(int64(portMemoryTTL)))
	m.add(40001, 9899, int64(portMemoryTTL))
	require.True(t, m.active(int64(portMemoryTTL)))
	m.add(40002, 9899, 5) // an add that read the clock earlier
	require.True(t, m.active(2*int64(portMemoryTTL)-1), "the latest add's time went back")
}

// TestPortMemoryEndedAt: endedAt reports the time of the latest end.
func TestPortMemoryEndedAt(t *testing.T) {
	var m portMemory
	_, ok := m.endedAt(40000, 9899, 0)
	require.False(t, ok)
	m.add(40000, 9899, 7)
	m.add(40000, 9899, 42)
	at, ok := m.endedAt(40000, 9899, 50)
	require.True(t, ok)
	require.Equal(t, int64(42), at)
}

// TestPortMemoryRenewedAtSameTime: a key renewed with the same clock
// reading (a coarse clock) is not evicted through its first slot.
func TestPortMemoryRenewedAtSameTime(t *testing.T) {
	var m portMemory
	m.add(1, 9899, 5)
	m.add(1, 9899, 5)
	for i := range portMemoryCap - 2 {
		m.add(10000+i, 9899, 5)
	}
	m.add(20000, 9899, 5) // overwrites port 1's first slot
	require.True(t, m.recent(1, 9899, 5))
	m.add(20001, 9899, 5) // overwrites its renewal
	require.False(t, m.recent(1, 9899, 5))
}

// TestPortMemoryCap: past portMemoryCap entries the oldest go first, and
// an entry renewed since it was written is not evicted by its old slot.
func TestPortMemoryCap(t *testing.T) {
	var m portMemory
	m.add(1, 9899, 0)
	m.add(2, 9899, 0)
	m.add(1, 9899, 1) // renewed: its first slot is the oldest now
	for i := range portMemoryCap - 3 {
		m.add(10000+i, 9899, 2)
	}
	// The ring is full: slot 0 (the first write of port 1) is next.
	m.add(5000, 9899, 3)
	require.True(t, m.recent(1, 9899, 3), "renewed entry evicted through its stale slot")
	require.True(t, m.recent(2, 9899, 3))
	m.add(5001, 9899, 3) // evicts port 2
	require.False(t, m.recent(2, 9899, 3))
	m.add(5002, 9899, 3) // evicts port 1's renewal
	require.False(t, m.recent(1, 9899, 3))
	require.True(t, m.recent(5002, 9899, 3))
	require.LessOrEqual(t, len(m.at), portMemoryCap)
	require.Len(t, m.ring, portMemoryCap)
}

func TestPortMemoryConcurrent(t *testing.T) {
	var m portMemory
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				m.add(1+(g*2000+i)%60000, 9899, int64(i))
				m.recent(1+i, 9899, int64(i))
			}
		}()
	}
	wg.Wait()
	require.LessOrEqual(t, len(m.at), portMemoryCap)
	require.Len(t, m.ring, portMemoryCap)
	m.add(61000, 9899, 2000)
	require.True(t, m.recent(61000, 9899, 2000))
}
