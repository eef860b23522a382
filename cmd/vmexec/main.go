// Command vmexec runs a program where kernel SCTP is available: natively
// when the host kernel has it, otherwise in a throw-away QEMU guest booted
// from a stock Debian kernel with the sctp module and the network fixtures
// that package github.com/sctpdial/sctpdial/sctptest names. It is made for
// any module's tests:
//
//	go install github.com/sctpdial/sctpdial/cmd/vmexec@latest
//	vmexec -prepare        # fetch the guest's kernel and busybox once
//	go test -exec vmexec ./...
//	go run -exec vmexec ./cmd/yourtool < input
//
// The program's output streams live and its exit status is vmexec's; its
// standard input is passed through unless it is /dev/null. `vmexec -h`
// prints the manual (environment variables, cache, exit statuses) and
// `vmexec -version` the version; neither boots a guest. See
// docs/testing.md.
package main

import (
	"os"

	"github.com/sctpdial/sctpdial/internal/vmtest"
)

func main() {
	os.Exit(vmtest.Main(os.Args[1:]))
}
