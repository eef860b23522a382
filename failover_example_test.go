package sctpdial_test

import (
	"fmt"
	"time"

	"github.com/sctpdial/sctpdial"
)

// A dialer whose associations leave a dead path within a second: traffic
// and the primary move to another path, and the policy says how.
func ExampleFailoverWithin() {
	f := sctpdial.FailoverWithin(time.Second)
	d := sctpdial.Dialer{Timeout: 5 * time.Second, Failover: f}
	_ = d // d.DialContext(ctx, "sctp", "192.0.2.1,198.51.100.1:3868")

	fmt.Printf("RTO %+v\n", f.RTO)
	fmt.Printf("heartbeats every %v\n", f.HeartbeatInterval)
	fmt.Printf("thresholds %+v\n", *f.Thresholds)
	fmt.Printf("association gives up after %d strikes\n", f.AssocMaxRetrans)
	// Output:
	// RTO {Initial:500ms Max:500ms Min:250ms}
	// heartbeats every 500ms
	// thresholds {PathMaxRetrans:2 PFThreshold:0 SwitchoverThreshold:0}
	// association gives up after 4 strikes
}
