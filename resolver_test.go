package sctpdial

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeAnswer is the canned reply of fakeLookuper for one name.
type fakeAnswer struct {
	addrs []string
	err   error
	// block makes the lookup wait for ctx to be done, then fail with a
	// DNS error, as net.Resolver does.
	block bool
	// barrier, if set, makes the lookup wait until every lookup sharing
	// the barrier has started (or ctx is done).
	barrier *barrier
}

// fakeLookuper answers LookupNetIP from a map and records each call.
type fakeLookuper struct {
	answers map[string]fakeAnswer
	started chan string // if non-nil, receives each name as its lookup starts

	mu    sync.Mutex
	calls []string // "network host"
}

func (f *fakeLookuper) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	f.mu.Lock()
	f.calls = append(f.calls, network+" "+host)
	f.mu.Unlock()
	if f.started != nil {
		f.started <- host
	}
	ans, ok := f.answers[host]
	if !ok {
		return nil, fmt.Errorf("fakeLookuper: unexpected lookup of %q", host)
	}
	if ans.barrier != nil {
		if err := ans.barrier.arrive(ctx); err != nil {
			return nil, &net.DNSError{Err: err.Error(), Name: host, IsTimeout: true}
		}
	}
	if ans.block {
		<-ctx.Done()
		return nil, &net.DNSError{Err: ctx.Err().Error(), Name: host, IsTimeout: true}
	}
	if ans.err != nil {
		return nil, ans.err
	}
	var out []netip.Addr
	for _, s := range ans.addrs {
		out = append(out, netip.MustParseAddr(s))
	}
	return out, nil
}

func (f *fakeLookuper) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// barrier releases its waiters once n of them have arrived.
type barrier struct {
	mu      sync.Mutex
	n       int
	arrived int
	all     chan struct{}
}

func newBarrier(n int) *barrier { return &barrier{n: n, all: make(chan struct{})} }

func (b *barrier) arrive(ctx context.Context) error {
	b.mu.Lock()
	b.arrived++
	if b.arrived == b.n {
		close(b.all)
	}
	b.mu.Unlock()
	select {
	case <-b.all:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func notFound(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func mustAddrs(t testing.TB, ss ...string) []netip.Addr {
	t.Helper()
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}

func TestResolveAll(t *testing.T) {
	answers := map[string]fakeAnswer{
		"a.example":    {addrs: []string{"192.0.2.1", "2001:db8::1", "192.0.2.2"}},
		"b.example":    {addrs: []string{"192.0.2.2", "198.51.100.1", "2001:db8::1", "2001:db8::2"}},
		"mapped":       {addrs: []string{"::ffff:192.0.2.9", "192.0.2.9", "2001:db8::9"}},
		"v4.example":   {addrs: []string{"192.0.2.4"}},
		"v6.example":   {addrs: []string{"2001:db8::6"}},
		"junk.example": {addrs: []string{"0.0.0.0", "::", "255.255.255.255", "224.0.0.1", "ff02::1", "192.0.2.7"}},
		"bad.example":  {addrs: []string{"0.0.0.0", "ff02::1"}},
		"nx1.example":  {err: notFound("nx1.example")},
		"nx2.example":  {err: notFound("nx2.example")},
	}
	tests := []struct {
		name    string
		network string
		address string
		want    []string
		lookups []string // expected calls, in any order
	}{
		{
			name: "literals only", network: "sctp",
			address: "192.0.2.1,[2001:db8::1],[fe80::1%eth0]:9",
			want:    []string{"192.0.2.1", "2001:db8::1", "fe80::1%eth0"},
		},
		{
			name: "all records kept, host order, de-dup keeps first", network: "sctp",
			address: "a.example,b.example:9",
			want:    []string{"192.0.2.1", "2001:db8::1", "192.0.2.2", "198.51.100.1", "2001:db8::2"},
			lookups: []string{"ip a.example", "ip b.example"},
		},
		{
			name: "host order wins over resolver order", network: "sctp",
			address: "b.example,a.example:9",
			want:    []string{"192.0.2.2", "198.51.100.1", "2001:db8::1", "2001:db8::2", "192.0.2.1"},
			lookups: []string{"ip a.example", "ip b.example"},
		},
		{
			name: "literal before name de-dups the name's copy", network: "sctp",
			address: "[2001:db8::1],a.example,192.0.2.1:9",
			want:    []string{"2001:db8::1", "192.0.2.1", "192.0.2.2"},
			lookups: []string{"ip a.example"},
		},
		{
			name: "repeated name is looked up once", network: "sctp",
			address: "v4.example,V4.EXAMPLE,v4.example:9",
			want:    []string{"192.0.2.4"},
			lookups: []string{"ip v4.example"},
		},
		{
			name: "mapped addresses are unmapped and de-duped", network: "sctp",
			address: "mapped:9",
			want:    []string{"192.0.2.9", "2001:db8::9"},
			lookups: []string{"ip mapped"},
		},
		{
			name: "unusable addresses filtered", network: "sctp",
			address: "junk.example:9",
			want:    []string{"192.0.2.7"},
			lookups: []string{"ip junk.example"},
		},
		{
			name: "sctp4 filters IPv6", network: "sctp4",
			address: "a.example,mapped:9",
			want:    []string{"192.0.2.1", "192.0.2.2", "192.0.2.9"},
			lookups: []string{"ip4 a.example", "ip4 mapped"},
		},
		{
			name: "sctp6 filters IPv4", network: "sctp6",
			address: "a.example,mapped:9",
			want:    []string{"2001:db8::1", "2001:db8::9"},
			lookups: []string{"ip6 a.example", "ip6 mapped"},
		},
		{
			name: "partial failure keeps the rest", network: "sctp",
			address: "nx1.example,v4.example,nx2.example:9",
			want:    []string{"192.0.2.4"},
			lookups: []string{"ip nx1.example", "ip v4.example", "ip nx2.example"},
		},
		{
			name: "failed names with a literal", network: "sctp",
			address: "nx1.example,192.0.2.1:9",
			want:    []string{"192.0.2.1"},
			lookups: []string{"ip nx1.example"},
		},
		{name: "empty host list sctp", network: "sctp", address: ":9", want: []string{"127.0.0.1"}},
		{name: "empty host list sctp4", network: "sctp4", address: ":9", want: []string{"127.0.0.1"}},
		{name: "empty host list sctp6", network: "sctp6", address: ":9", want: []string{"::1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hp, err := parseMultiAddr(tt.network, tt.address)
			require.NoError(t, err)
			f := &fakeLookuper{answers: answers}
			got, err := resolveAll(context.Background(), f, tt.network, hp)
			require.NoError(t, err)
			assert.Equal(t, mustAddrs(t, tt.want...), got)
			assert.ElementsMatch(t, tt.lookups, f.Calls())
		})
	}
}

func TestResolveAllErrors(t *testing.T) {
	answers := map[string]fakeAnswer{
		"nx1.example":   {err: notFound("nx1.example")},
		"nx2.example":   {err: notFound("nx2.example")},
		"v4.example":    {addrs: []string{"192.0.2.4"}},
		"v6.example":    {addrs: []string{"2001:db8::6"}},
		"bad.example":   {addrs: []string{"0.0.0.0", "ff02::1", "255.255.255.255"}},
		"empty.example": {},
	}

	t.Run("single failure is returned as is", func(t *testing.T) {
		hp, err := parseMultiAddr("sctp", "nx1.example:9")
		require.NoError(t, err)
		_, err = resolveAll(context.Background(), &fakeLookuper{answers: answers}, "sctp", hp)
		assert.Same(t, answers["nx1.example"].err, err)
	})

	t.Run("several failures are joined", func(t *testing.T) {
		hp, err := parseMultiAddr("sctp", "nx1.example,nx2.example,nx1.example:9")
		require.NoError(t, err)
		_, err = resolveAll(context.Background(), &fakeLookuper{answers: answers}, "sctp", hp)
		require.Error(t, err)
		assert.ErrorIs(t, err, answers["nx1.example"].err)
		assert.ErrorIs(t, err, answers["nx2.example"].err)
		var dnsErr *net.DNSError
		require.ErrorAs(t, err, &dnsErr)
		assert.True(t, dnsErr.IsNotFound)
		joined, ok := err.(interface{ Unwrap() []error })
		require.True(t, ok, "not an errors.Join: %T", err)
		assert.Len(t, joined.Unwrap(), 2, "a repeated name is reported once")
	})

	noSuitable := []struct {
		name, network, address string
	}{
		{"only unusable addresses", "sctp", "bad.example:9"},
		{"empty answer", "sctp", "empty.example:9"},
		{"sctp4 with only IPv6 records", "sctp4", "v6.example:9"},
		{"sctp6 with only IPv4 records", "sctp6", "v4.example:9"},
	}
	for _, tt := range noSuitable {
		t.Run(tt.name, func(t *testing.T) {
			hp, err := parseMultiAddr(tt.network, tt.address)
			require.NoError(t, err)
			_, err = resolveAll(context.Background(), &fakeLookuper{answers: answers}, tt.network, hp)
			var addrErr *net.AddrError
			require.ErrorAs(t, err, &addrErr)
			assert.Equal(t, "no suitable address found", addrErr.Err)
			assert.Equal(t, tt.address, addrErr.Addr)
		})
	}

	t.Run("unknown network", func(t *testing.T) {
		_, err := resolveAll(context.Background(), &fakeLookuper{}, "tcp", hostPort{hosts: []string{"192.0.2.1"}, port: 9})
		var unknown net.UnknownNetworkError
		require.ErrorAs(t, err, &unknown)
	})
}

func TestResolveAllTooManyAddrs(t *testing.T) {
	many := func(prefix byte, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = netip.AddrFrom4([4]byte{10, prefix, byte(i >> 8), byte(i)}).String()
		}
		return out
	}
	answers := map[string]fakeAnswer{
		"exact.example": {addrs: many(1, maxAddrs)},
		// Duplicates do not count towards the limit.
		"dups.example": {addrs: append(many(1, maxAddrs), many(1, maxAddrs)...)},
		"one.example":  {addrs: many(2, 1)},
	}

	hp, err := parseMultiAddr("sctp", "exact.example,dups.example:9")
	require.NoError(t, err)
	got, err := resolveAll(context.Background(), &fakeLookuper{answers: answers}, "sctp", hp)
	require.NoError(t, err)
	assert.Len(t, got, maxAddrs)

	hp, err = parseMultiAddr("sctp", "exact.example,one.example:9")
	require.NoError(t, err)
	_, err = resolveAll(context.Background(), &fakeLookuper{answers: answers}, "sctp", hp)
	var addrErr *net.AddrError
	require.ErrorAs(t, err, &addrErr)
	assert.Contains(t, addrErr.Err, "too many addresses")
}

func TestResolveAllConcurrent(t *testing.T) {
	// Each lookup waits until both have started: sequential lookups would
	// deadlock until the context's deadline and fail.
	b := newBarrier(2)
	answers := map[string]fakeAnswer{
		"a.example": {addrs: []string{"192.0.2.1"}, barrier: b},
		"b.example": {addrs: []string{"192.0.2.2"}, barrier: b},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hp, err := parseMultiAddr("sctp", "a.example,b.example:9")
	require.NoError(t, err)
	got, err := resolveAll(ctx, &fakeLookuper{answers: answers}, "sctp", hp)
	require.NoError(t, err)
	assert.Equal(t, mustAddrs(t, "192.0.2.1", "192.0.2.2"), got)
}

func TestResolveAllContextDone(t *testing.T) {
	answers := map[string]fakeAnswer{
		"slow1.example": {block: true},
		"slow2.example": {block: true},
		"v4.example":    {addrs: []string{"192.0.2.4"}},
	}

	t.Run("cancel during lookups", func(t *testing.T) {
		before := runtime.NumGoroutine()
		hp, err := parseMultiAddr("sctp", "slow1.example,v4.example,slow2.example:9")
		require.NoError(t, err)
		f := &fakeLookuper{answers: answers, started: make(chan string, 3)}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()

		type result struct {
			addrs []netip.Addr
			err   error
		}
		done := make(chan result, 1)
		go func() {
			addrs, err := resolveAll(ctx, f, "sctp", hp)
			done <- result{addrs, err}
		}()
		for range 3 {
			<-f.started
		}
		cancel()
		select {
		case r := <-done:
			assert.Nil(t, r.addrs, "results despite cancellation")
			assert.Same(t, context.Canceled, r.err)
		case <-time.After(5 * time.Second):
			t.Fatal("resolveAll did not return after cancel")
		}
		waitGoroutines(t, before)
	})

	t.Run("deadline", func(t *testing.T) {
		before := runtime.NumGoroutine()
		hp, err := parseMultiAddr("sctp", "slow1.example,slow2.example:9")
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		_, err = resolveAll(ctx, &fakeLookuper{answers: answers}, "sctp", hp)
		assert.Equal(t, context.DeadlineExceeded, err)
		waitGoroutines(t, before)
	})

	t.Run("already canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for _, addr := range []string{"v4.example:9", "192.0.2.1:9", ":9"} {
			hp, err := parseMultiAddr("sctp", addr)
			require.NoError(t, err)
			_, err = resolveAll(ctx, &fakeLookuper{answers: answers}, "sctp", hp)
			assert.Same(t, context.Canceled, err, addr)
		}
	})
}

// waitGoroutines fails t unless the goroutine count drops back to want.
// Goroutines that have finished their work may take a moment to exit, so
// it retries briefly.
func waitGoroutines(t *testing.T, want int) {
	t.Helper()
	var n int
	for range 100 {
		if n = runtime.NumGoroutine(); n <= want {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	buf := make([]byte, 1<<16)
	buf = buf[:runtime.Stack(buf, true)]
	t.Fatalf("goroutines: got %d, want %d\n%s", n, want, buf)
}

// *net.Resolver must satisfy lookuper, since that is what dials use.
var _ lookuper = (*net.Resolver)(nil)

func TestResolveAllNilResolverLiterals(t *testing.T) {
	// Literals need no resolver at all; a nil one must not be touched.
	hp, err := parseMultiAddr("sctp", "192.0.2.1,[2001:db8::1]:9")
	require.NoError(t, err)
	got, err := resolveAll(context.Background(), nil, "sctp", hp)
	require.NoError(t, err)
	assert.Equal(t, mustAddrs(t, "192.0.2.1", "2001:db8::1"), got)
}

func TestResolveAllTypedNilResolver(t *testing.T) {
	// A Dialer with no Resolver passes a nil *net.Resolver, which must
	// mean net.DefaultResolver. localhost comes from the hosts file.
	var r *net.Resolver
	got, err := resolveAll(context.Background(), r, "sctp4", hostPort{hosts: []string{"localhost"}, port: 9})
	if err != nil {
		t.Skipf("localhost does not resolve here: %v", err)
	}
	assert.Contains(t, got, netip.MustParseAddr("127.0.0.1"))
}

// TestResolveFiltersLiteralsByFamily: "sctp4" and "sctp6" drop literals
// of the other family as they drop a name's records of it.
func TestResolveFiltersLiteralsByFamily(t *testing.T) {
	for _, tt := range []struct {
		network, address string
		want             []netip.Addr
	}{
		{"sctp4", "192.0.2.1,[2001:db8::1]:9", []netip.Addr{netip.MustParseAddr("192.0.2.1")}},
		{"sctp6", "192.0.2.1,[2001:db8::1]:9", []netip.Addr{netip.MustParseAddr("2001:db8::1")}},
		{"sctp", "192.0.2.1,[2001:db8::1]:9", []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")}},
	} {
		hp, err := parseMultiAddr(tt.network, tt.address)
		require.NoError(t, err)
		got, err := resolveAll(context.Background(), nil, tt.network, hp)
		require.NoError(t, err)
		require.Equal(t, tt.want, got, tt.network)
	}
}
