package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/sctpdial/sctpdial"
)

// watch prints every notification of c and every change of a path's
// state (read each interval) to w, with the time, until stop is called.
// Notifications arrive while the association is being read (pipe or
// echo does that).
func watch(c *sctpdial.Conn, interval time.Duration, w io.Writer) (stop func(), err error) {
	var mu sync.Mutex
	printf := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05.000")}, args...)...)
	}
	if err := c.SetNotificationHandler(sctpdial.EventAll&^sctpdial.EventSenderDry, func(n sctpdial.Notification) {
		printf("%s", describe(n))
	}); err != nil {
		return nil, err
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		states := map[string]sctpdial.PathState{}
		primary := ""
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if st, err := c.Status(); err == nil && st.Primary.Addr.IP.String() != primary {
				if primary != "" {
					printf("primary %v (was %s)", st.Primary.Addr.IP, primary)
				}
				primary = st.Primary.Addr.IP.String()
			}
			if paths, err := c.Paths(); err == nil {
				for _, p := range paths {
					ip := p.Addr.IP.String()
					if old, ok := states[ip]; ok && old != p.State {
						printf("path %s %v -> %v (rto %v, cwnd %d)", ip, old, p.State, p.RTO, p.Cwnd)
					}
					states[ip] = p.State
				}
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }, nil
}

// describe formats a notification in one line.
func describe(n sctpdial.Notification) string {
	switch n := n.(type) {
	case sctpdial.AssocChange:
		return fmt.Sprintf("association %v (streams out %d, in %d, error %d)", n.State, n.OutStreams, n.InStreams, n.Error)
	case sctpdial.PeerAddrChange:
		return fmt.Sprintf("peer address %v %v (error %d)", n.Addr.IP, n.State, n.Error)
	case sctpdial.SendFailed:
		return fmt.Sprintf("send failed: %d bytes on stream %d, ppid %d (sent %v, error %d)", len(n.Data), n.Info.Stream, n.Info.PPID, n.Sent, n.Error)
	case sctpdial.Shutdown:
		return "peer sent SHUTDOWN"
	}
	return fmt.Sprintf("notification %T", n)
}
