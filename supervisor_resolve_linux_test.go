package sctpdial

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/dns/dnsmessage"
)

// fakeDNS is a UDP name server on loopback answering every A query with
// one address, which the test may change; AAAA queries get no records.
type fakeDNS struct {
	pc      net.PacketConn
	wg      sync.WaitGroup
	addr    atomic.Pointer[netip.Addr]
	queries atomic.Int32 // A queries answered
}

func startFakeDNS(t *testing.T, addr netip.Addr) *fakeDNS {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	f := &fakeDNS{pc: pc}
	f.addr.Store(&addr)
	f.wg.Go(f.serve)
	t.Cleanup(func() { pc.Close(); f.wg.Wait() })
	return f
}

func (f *fakeDNS) serve() {
	buf := make([]byte, 1500)
	for {
		n, from, err := f.pc.ReadFrom(buf)
		if err != nil {
			return
		}
		var p dnsmessage.Parser
		h, err := p.Start(buf[:n])
		if err != nil {
			continue
		}
		q, err := p.Question()
		if err != nil {
			continue
		}
		b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired})
		b.StartQuestions()
		b.Question(q)
		b.StartAnswers()
		if q.Type == dnsmessage.TypeA {
			f.queries.Add(1)
			b.AResource(dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET}, dnsmessage.AResource{A: f.addr.Load().As4()})
		}
		if msg, err := b.Finish(); err == nil {
			f.pc.WriteTo(msg, from)
		}
	}
}

// resolver sends every query to f.
func (f *fakeDNS) resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", f.pc.LocalAddr().String())
	}}
}

// TestSupervisorReresolves: every attempt resolves the name again. The
// name first points at a listener on 127.0.0.1; it is moved to 127.0.0.2
// and the first listener goes away: the redial reaches the new address.
func TestSupervisorReresolves(t *testing.T) {
	requireSCTP(t)
	checkNoLeaks(t)
	first := startSupPeer(t, ListenConfig{}, "127.0.0.1:0")
	second := startSupPeer(t, ListenConfig{}, "127.0.0.2:"+strconv.Itoa(first.port))
	dns := startFakeDNS(t, netip.MustParseAddr("127.0.0.1"))

	evs := newEventLog()
	d := Dialer{InitMsg: peerInitMsg, Resolver: dns.resolver()}
	s, err := d.Supervise(context.Background(), "sctp", "peer.sctpdial.test:"+strconv.Itoa(first.port),
		&SupervisorConfig{Backoff: Backoff{Initial: 100 * time.Millisecond}, OnEvent: evs.on})
	require.NoError(t, err)
	defer s.Close()
	up := evs.wait(t, SupervisorUp, 5*time.Second)
	require.Equal(t, "127.0.0.1", up.Primary.IP.String())
	a := first.accept(t, 5*time.Second)
	require.Equal(t, int32(1), dns.queries.Load())

	moved := netip.MustParseAddr("127.0.0.2")
	dns.addr.Store(&moved)
	first.close()
	_ = a // closed by first.close
	evs.wait(t, SupervisorDown, 5*time.Second)
	up = evs.wait(t, SupervisorUp, 5*time.Second)
	require.Equal(t, "127.0.0.2", up.Primary.IP.String(), "the redial used the name's new address")
	second.accept(t, 5*time.Second)
	require.Equal(t, int32(2), dns.queries.Load(), "one lookup per attempt")
}
