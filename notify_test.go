//go:build linux

package sctpdial

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// collector gathers notifications from the handler.
type collector struct {
	mu  sync.Mutex
	got []Notification
}

func (c *collector) handle(n Notification) {
	c.mu.Lock()
	c.got = append(c.got, n)
	c.mu.Unlock()
}

func (c *collector) all() []Notification {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Notification(nil), c.got...)
}

// readAll reads c to io.EOF with Read or ReadMsg and a buffer of size
// bytes.
func readAll(t *testing.T, c *Conn, size int, msg bool) string {
	t.Helper()
	readDeadline(t, c)
	buf := make([]byte, size)
	var data []byte
	for {
		var n int
		var err error
		if msg {
			n, _, err = c.ReadMsg(buf)
			if errors.Is(err, ErrPartialMessage) {
				err = nil
			}
		} else {
			n, err = c.Read(buf)
		}
		data = append(data, buf[:n]...)
		if err == io.EOF {
			return string(data)
		}
		require.NoError(t, err)
	}
}

// TestNotificationsNeverData: with every notification subscribed, the peer
// sends data and shuts down; the reader gets exactly the data and then
// io.EOF, and the handler gets SENDER_DRY (sent at once on subscribing),
// SHUTDOWN and ASSOC_CHANGE/SHUTDOWN_COMP. A 7-byte buffer makes the
// kernel hand every notification over in pieces.
func TestNotificationsNeverData(t *testing.T) {
	requireSCTP(t)
	tests := []struct {
		name string
		size int
		msg  bool
	}{
		{"Read", 4096, false},
		{"Read/small buffer", 7, false},
		{"ReadMsg", 4096, true},
		{"ReadMsg/small buffer", 7, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, peer := dialIshi(t, nil, "127.0.0.1")
			var col collector
			require.NoError(t, c.SetNotificationHandler(EventAll, col.handle))

			for _, s := range []string{"hello ", "notified ", "world"} {
				_, err := peer.Write([]byte(s))
				require.NoError(t, err)
			}
			require.NoError(t, peer.Close()) // SCTP_EOF, then close

			require.Equal(t, "hello notified world", readAll(t, c, tt.size, tt.msg))
			// io.EOF comes with the peer's SHUTDOWN; SHUTDOWN_COMP only once
			// the SHUTDOWN-ACK and SHUTDOWN-COMPLETE have crossed, and a
			// notification reaches the handler during a Read. Read on
			// (each returns io.EOF) until it has come, for up to 5 s.
			got := col.all()
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				if _, _, comp := shutdownKinds(got); comp {
					break
				}
				_, err := c.Read(make([]byte, tt.size))
				require.ErrorIs(t, err, io.EOF)
				got = col.all()
			}
			t.Logf("%+v", got)
			dry, shutdown, comp := shutdownKinds(got)
			require.True(t, dry, "no SCTP_SENDER_DRY_EVENT")
			require.True(t, shutdown, "no SCTP_SHUTDOWN_EVENT")
			require.True(t, comp, "no SCTP_ASSOC_CHANGE SHUTDOWN_COMP")
		})
	}
}

// TestNotificationsWithoutHandler: notifications subscribed behind the
// package's back (SCTP_EVENTS through SyscallConn) never reach Read.
func TestNotificationsWithoutHandler(t *testing.T) {
	requireSCTP(t)
	c, peer := dialIshi(t, nil, "127.0.0.1")
	rc, err := c.SyscallConn()
	require.NoError(t, err)
	var serr error
	require.NoError(t, rc.Control(func(fd uintptr) {
		// Every struct sctp_event_subscribe byte but sctp_data_io_event.
		serr = unix.SetsockoptString(int(fd), solSCTP, sctpEvents, "\x00\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01")
	}))
	require.NoError(t, serr)
	_, err = peer.Write([]byte("only data"))
	require.NoError(t, err)
	require.NoError(t, peer.Close())
	require.Equal(t, "only data", readAll(t, c, 5, false))
}

// TestNotificationSubscription covers both ways of subscribing (SCTP_EVENT
// and the SCTP_EVENTS fallback) with SENDER_DRY, which the kernel sends at
// once, and checks that switching to another set unsubscribes the rest.
func TestNotificationSubscription(t *testing.T) {
	requireSCTP(t)
	tests := []struct {
		name string
		sub  func(fd int, assoc int32, events EventMask) error
	}{
		{"SCTP_EVENT", subscribe},
		{"SCTP_EVENTS", func(fd int, _ int32, events EventMask) error { return subscribeLegacy(fd, events) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, peer := dialIshi(t, nil, "127.0.0.1")
			var col collector
			c.notify.Store(&notifyConfig{h: col.handle, events: EventAll})
			require.NoError(t, c.control("set", func(fd int) error { return tt.sub(fd, c.assoc, EventSenderDry|EventShutdown) }))
			// Now only ASSOC_CHANGE: no SHUTDOWN event may follow.
			require.NoError(t, c.control("set", func(fd int) error { return tt.sub(fd, c.assoc, EventAssocChange) }))

			require.NoError(t, peer.Close())
			require.Empty(t, readAll(t, c, 64, false))
			got := col.all()
			t.Logf("%+v", got)
			dry, shutdown, comp := shutdownKinds(got)
			require.True(t, dry, "no SENDER_DRY on subscribing")
			require.False(t, shutdown, "SHUTDOWN after unsubscribing")
			require.True(t, comp, "no ASSOC_CHANGE")
		})
	}
}

// TestNotificationHandlerOff: after SetNotificationHandler(0, nil) the
// kernel sends nothing more and Read returns only data.
func TestNotificationHandlerOff(t *testing.T) {
	requireSCTP(t)
	c, peer := dialIshi(t, nil, "127.0.0.1")
	var col collector
	require.NoError(t, c.SetNotificationHandler(EventShutdown|EventAssocChange, col.handle))
	require.NoError(t, c.SetNotificationHandler(0, nil))
	_, err := peer.Write([]byte("data"))
	require.NoError(t, err)
	require.NoError(t, peer.Close())
	require.Equal(t, "data", readAll(t, c, 64, false))
	require.Empty(t, col.all())
}

// TestNotificationHandlerUsesConn: the handler runs without the receive
// lock held, so it may call the Conn (here Status, and Write).
func TestNotificationHandlerUsesConn(t *testing.T) {
	requireSCTP(t)
	a, b := dialPair(t)
	called := make(chan error, 1)
	var once sync.Once
	require.NoError(t, b.SetNotificationHandler(EventSenderDry, func(n Notification) {
		// SENDER_DRY comes again once the handler's message is acknowledged.
		once.Do(func() {
			_, err := b.Status()
			if err == nil {
				_, err = b.Write([]byte("from handler"))
			}
			called <- err
		})
	}))
	require.NoError(t, b.SetReadDeadline(time.Now().Add(300*time.Millisecond)))
	_, err := b.Read(make([]byte, 16))
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	select {
	case err := <-called:
		require.NoError(t, err)
	default:
		t.Fatal("handler not called")
	}
	readDeadline(t, a)
	buf := make([]byte, 32)
	n, err := a.Read(buf)
	require.NoError(t, err)
	require.Equal(t, "from handler", string(buf[:n]))
}

// kernelSubscription reads back, type by type, what the kernel queues for
// c's association (getsockopt SCTP_EVENT reads asoc->subscribe on a
// one-to-one socket, sctp_getsockopt_event).
func kernelSubscription(t *testing.T, c *Conn) EventMask {
	t.Helper()
	var m EventMask
	require.NoError(t, c.control("get", func(fd int) error {
		for _, e := range eventTypes {
			b := marshalSCTPEvent(c.assoc, e.typ, false)
			if _, err := getsockopt(fd, solSCTP, sctpEventOpt, b[:]); err != nil {
				return err
			}
			if b[6] != 0 {
				m |= e.mask
			}
		}
		return nil
	}))
	return m
}

// TestNotificationHandlerUnsubscribes: what SetNotificationHandler leaves
// subscribed in the kernel, read back with SCTP_EVENT. A nil handler or
// no events must switch everything off, not only stop the handler.
func TestNotificationHandlerUnsubscribes(t *testing.T) {
	requireSCTP(t)
	h := func(Notification) {}
	tests := []struct {
		name  string
		steps []EventMask // each step sets a handler with these events...
		last  EventMask   // ...then this one
		nilH  bool        // with a nil handler
		want  EventMask
	}{
		{"nil handler", []EventMask{EventShutdown | EventSenderDry}, EventShutdown | EventSenderDry, true, 0},
		{"nil handler, zero events", []EventMask{EventAll}, 0, true, 0},
		{"zero events", []EventMask{EventAll}, 0, false, 0},
		{"switch", []EventMask{EventAll}, EventShutdown | EventPeerAddrChange, false, EventShutdown | EventPeerAddrChange},
		{"from nothing", nil, EventAssocChange, false, EventAssocChange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := dialPair(t)
			require.Zero(t, kernelSubscription(t, c), "a new association has no notifications")
			for _, events := range tt.steps {
				require.NoError(t, c.SetNotificationHandler(events, h))
				require.Equal(t, events, kernelSubscription(t, c))
			}
			last := h
			if tt.nilH {
				last = nil
			}
			require.NoError(t, c.SetNotificationHandler(tt.last, last))
			require.Equal(t, tt.want, kernelSubscription(t, c))
			require.Equal(t, tt.want != 0, c.notify.Load() != nil)
		})
	}

	t.Run("failure keeps the handler", func(t *testing.T) {
		c, _ := dialPair(t)
		require.NoError(t, c.SetNotificationHandler(EventShutdown, h))
		prev := c.notify.Load()
		require.NoError(t, c.Close())
		require.ErrorIs(t, c.SetNotificationHandler(0, nil), net.ErrClosed)
		require.Same(t, prev, c.notify.Load())
	})
}

// shutdownKinds reports which of the notifications a peer's shutdown
// brings are among got.
func shutdownKinds(got []Notification) (dry, shutdown, comp bool) {
	for _, n := range got {
		switch n := n.(type) {
		case SenderDry:
			dry = true
		case Shutdown:
			shutdown = true
		case AssocChange:
			comp = comp || n.State == ShutdownComp
		}
	}
	return dry, shutdown, comp
}
