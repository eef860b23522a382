//go:build !linux

package vmtest

import (
	"fmt"
	"os"
	"runtime"
)

// Main reports that the runner needs Linux (QEMU guests with a Linux
// kernel, and native runs where the kernel has SCTP).
func Main(args []string) int {
	if code, done := hostFlag(args, os.Stdout, os.Stderr); done {
		return code
	}
	fmt.Fprintf(os.Stderr, "vmexec: not supported on %s; run the tests on Linux\n", runtime.GOOS)
	return 2
}
