package sctptest_test

import (
	"fmt"
	"maps"
	"slices"

	"github.com/sctpdial/sctpdial/sctptest"
)

// The guest's names resolve to several addresses each, in this order.
func ExampleHosts() {
	hosts := sctptest.Hosts()
	for _, n := range slices.Sorted(maps.Keys(hosts)) {
		fmt.Println(n, hosts[n])
	}
	// Output:
	// mixed.sctpdial.test [192.0.2.250 2001:db8:beef::250]
	// multi4.sctpdial.test [192.0.2.250 192.0.2.251]
	// multi6.sctpdial.test [2001:db8:beef::250 2001:db8:beef::251]
	// silent.sctpdial.test [203.0.113.7]
	// silentfirst.sctpdial.test [203.0.113.7 192.0.2.250]
}
