// Command vmexec runs a program where kernel SCTP is available: natively
// when the host kernel has it, otherwise in a QEMU guest booted from a
// stock Debian kernel with the sctp module. It is made for
//
//	go test -exec vmexec ./...
//	go run -exec vmexec ./cmd/sctpdial demo
//
// Build it with CGO_ENABLED=0 so that it can also serve as the guest's
// init. `vmexec -prepare` downloads and caches the guest's kernel and
// busybox. See docs/testing.md.
package main

import (
	"os"

	"github.com/sctpdial/sctpdial/internal/vmtest"
)

func main() {
	os.Exit(vmtest.Main(os.Args[1:]))
}
