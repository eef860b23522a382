package sctpdial_test

import (
	"context"
	"errors"
	"log"
	"time"

	"github.com/sctpdial/sctpdial"
)

// Keep a Diameter peer connected: redial with backoff whenever the
// association ends or stalls, hand incoming messages to a handler, queue
// outgoing ones with a bound, and drain them on the way out.
func ExampleDialer_Supervise() {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()

	d := sctpdial.Dialer{Timeout: 5 * time.Second}
	s, err := d.Supervise(ctx, "sctp", "192.0.2.1,198.51.100.1:3868", &sctpdial.SupervisorConfig{
		StallTimeout: 10 * time.Second,
		Handler: func(b []byte, info sctpdial.MsgInfo) {
			log.Printf("%d bytes on stream %d", len(b), info.Stream)
		},
		OnEvent: func(ev sctpdial.SupervisorEvent) {
			switch ev.State {
			case sctpdial.SupervisorUp:
				log.Printf("up: %v via %v", ev.Remote, ev.Primary.IP)
			case sctpdial.SupervisorDown:
				log.Printf("down: %v; next attempt at %v", ev.Err, ev.NextAttempt.Format(time.TimeOnly))
			}
		},
	})
	if err != nil {
		log.Fatal(err) // a network or address that can never be dialed
	}

	sendCtx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	err = s.Send(sendCtx, []byte("CER"), &sctpdial.MsgInfo{PPID: 46})
	var nce *sctpdial.NotConnectedError
	if errors.As(err, &nce) {
		log.Printf("not connected (%v), next attempt at %v", nce.State, nce.NextAttempt)
	}

	// Graceful end: everything queued is written and acknowledged.
	drainCtx, cancelDrain := context.WithTimeout(ctx, 5*time.Second)
	defer cancelDrain()
	if err := s.Shutdown(drainCtx); err != nil {
		log.Print(err)
	}
}
