package sctpdial

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ishidawataru/sctp"
	"github.com/stretchr/testify/require"
)

// supPeer is a listener whose accepted associations arrive on conns; it
// closes them all when the test ends.
type supPeer struct {
	ln    *Listener
	port  int
	conns chan *Conn
	wg    sync.WaitGroup

	mu       sync.Mutex
	accepted []*Conn
}

// startSupPeer listens on addr ("127.0.0.1:0") with lc.
func startSupPeer(t *testing.T, lc ListenConfig, addr string) *supPeer {
	t.Helper()
	return startSupPeerIn(t, nil, lc, addr)
}

// startSupPeerIn is startSupPeer with the listener made by do (a
// network namespace's Do), if not nil.
func startSupPeerIn(t *testing.T, do func(func() error) error, lc ListenConfig, addr string) *supPeer {
	t.Helper()
	if lc.InitMsg == (sctp.InitMsg{}) {
		lc.InitMsg = peerInitMsg
	}
	if do == nil {
		do = func(f func() error) error { return f() }
	}
	var ln *Listener
	require.NoError(t, do(func() (err error) {
		ln, err = lc.ListenSCTP(context.Background(), "sctp", addr)
		return err
	}))
	p := &supPeer{ln: ln, port: ln.Addr().(*sctp.SCTPAddr).Port, conns: make(chan *Conn, 64)}
	p.wg.Go(func() {
		for {
			c, err := ln.AcceptSCTP()
			if err != nil {
				return
			}
			p.mu.Lock()
			p.accepted = append(p.accepted, c)
			p.mu.Unlock()
			p.conns <- c
		}
	})
	t.Cleanup(p.close)
	return p
}

// close stops listening and closes every accepted association.
func (p *supPeer) close() {
	p.ln.Close()
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.accepted {
		c.Close()
	}
}

// accept returns the next association accepted within d.
func (p *supPeer) accept(t *testing.T, d time.Duration) *Conn {
	t.Helper()
	select {
	case c := <-p.conns:
		return c
	case <-time.After(d):
		t.Fatalf("no association accepted within %v", d)
		return nil
	}
}

// eventLog records a Supervisor's events.
type eventLog struct {
	mu  sync.Mutex
	evs []SupervisorEvent
	ch  chan SupervisorEvent
}

func newEventLog() *eventLog { return &eventLog{ch: make(chan SupervisorEvent, 1024)} }

func (l *eventLog) on(ev SupervisorEvent) {
	l.mu.Lock()
	l.evs = append(l.evs, ev)
	l.mu.Unlock()
	select {
	case l.ch <- ev:
	default:
	}
}

// wait returns the next event in state, skipping others, within d.
func (l *eventLog) wait(t *testing.T, state SupervisorState, d time.Duration) SupervisorEvent {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case ev := <-l.ch:
			if ev.State == state {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %v event within %v; events: %+v", state, d, l.all())
			return SupervisorEvent{}
		}
	}
}

func (l *eventLog) all() []SupervisorEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]SupervisorEvent(nil), l.evs...)
}

// msgLog records what a Handler received.
type msgLog struct {
	mu   sync.Mutex
	msgs []string
	ch   chan string
}

func newMsgLog() *msgLog { return &msgLog{ch: make(chan string, 1024)} }

func (l *msgLog) handle(b []byte, info MsgInfo) {
	l.mu.Lock()
	l.msgs = append(l.msgs, string(b))
	l.mu.Unlock()
	select {
	case l.ch <- string(b):
	default:
	}
}

// abortConn closes c with SO_LINGER 0: the kernel sends ABORT.
func abortConn(t *testing.T, c *Conn) {
	t.Helper()
	rc, err := c.SyscallConn()
	require.NoError(t, err)
	var serr error
	require.NoError(t, rc.Control(func(fd uintptr) {
		serr = setLinger0(int(fd))
	}))
	require.NoError(t, serr)
	require.NoError(t, c.Close())
}

// readMsgWithin reads one message from c within d.
func readMsgWithin(t *testing.T, c *Conn, d time.Duration) (string, MsgInfo) {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(d)))
	buf := make([]byte, 64<<10)
	n, info, err := c.ReadMsg(buf)
	require.NoError(t, err)
	return string(buf[:n]), info
}
