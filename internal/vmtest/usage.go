package vmtest

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// usage is vmexec's manual, printed by -h.
const usage = `NAME
    vmexec - run a program, typically a Go test binary, where kernel SCTP exists

SYNOPSIS
    vmexec PROGRAM [ARG...]
    vmexec -prepare
    vmexec -h | -help | --help
    vmexec -version

DESCRIPTION
    vmexec runs PROGRAM with its arguments natively when this kernel opens
    an SCTP socket, and otherwise inside a throw-away QEMU guest (TCG, no
    network card) booted from a stock Debian kernel with the sctp module.
    The guest holds PROGRAM (and its shared libraries), the current
    directory's testdata/, and network fixtures for tests: the addresses
    192.0.2.250, 192.0.2.251, 2001:db8:beef::250 and ::251 on dummy0,
    silent peers 203.0.113.7 and 2001:db8:dead::7 that never answer, and
    /etc/hosts names with several addresses (package
    github.com/sctpdial/sctpdial/sctptest names them all).

    PROGRAM's output streams live; its exit status becomes vmexec's. Its
    standard input is passed through (over a virtio serial port; the end
    of input arrives too), except when it is /dev/null, as under go test.
    Files that go test asks the binary to write (-test.coverprofile,
    -test.cpuprofile, -test.gocoverdir...) come back to the host.

    A test binary whose -test.run pattern selects nothing (go test -run X
    over many packages) runs natively without a guest: vmexec asks it with
    -test.list first.

    Natively and in the guest vmexec sets SCTPDIAL_REQUIRE_SCTP=1, so
    tests that call sctptest.RequireSCTP fail instead of skipping: a run
    through vmexec never passes by skipping.

    -prepare downloads the guest's kernel and busybox once (apt-get
    download, about 110 MB unpacked) and reports where programs will run.
    -h, -help and --help print this manual and -version the version; none
    of them boot a guest.

USE WITH GO
    go install github.com/sctpdial/sctpdial/cmd/vmexec@latest
    vmexec -prepare
    go test -exec vmexec ./...
    go run -exec vmexec ./cmd/yourtool ARG...

    Without installing: go test -exec "go run github.com/sctpdial/sctpdial/cmd/vmexec@VERSION" ./...
    Needs Linux on amd64, qemu-system-x86_64 (Debian/Ubuntu package
    qemu-system-x86) and, for -prepare, apt-get and dpkg-deb.

ENVIRONMENT
    SCTPDIAL_VM_CACHE       cache directory (default $XDG_CACHE_HOME/sctpdial-vm,
                            i.e. ~/.cache/sctpdial-vm)
    SCTPDIAL_VM_TIMEOUT     bound on a guest run (default -test.timeout + 2m, else 20m)
    SCTPDIAL_VM_BOOT_TIMEOUT
                            bound on the boot, until the program starts (2m); a
                            guest that hangs or panics before is booted once more
    SCTPDIAL_VM_MEMORY_MB   guest memory (2048)
    SCTPDIAL_VM_CPUS        guest CPUs (2)
    SCTPDIAL_VM_ACCEL       QEMU accelerator (tcg; kvm only where a probe boot works)
    SCTPDIAL_VM_FORCE=1     use the guest even where the host has SCTP
    Only SCTPDIAL_*, GODEBUG, GOTRACEBACK, GOMAXPROCS, GORACE and GOGC pass
    into the guest.

EXIT STATUS
    PROGRAM's status (128+N when killed by signal N); 127 when PROGRAM
    does not exist and 126 when it is no executable ELF file (the guest
    runs no scripts); 1 when the guest could not run it or did not finish
    in time; 2 for a usage error.

SEE ALSO
    https://github.com/sctpdial/sctpdial/blob/main/docs/testing.md
`

// hostFlag handles vmexec's own flags other than -prepare: it returns
// the exit status and true when args[0] was one of them.
func hostFlag(args []string, stdout, stderr io.Writer) (int, bool) {
	if len(args) == 0 {
		fmt.Fprint(stderr, "usage: vmexec PROGRAM [ARG...] | -prepare | -h | -version\n")
		return 2, true
	}
	switch args[0] {
	case "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0, true
	case "-version", "--version":
		fmt.Fprintln(stdout, version())
		return 0, true
	case "-prepare", "--prepare":
		return 0, false
	}
	if strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(stderr, "vmexec: unknown flag %s (a program path comes first; see vmexec -h)\n", args[0])
		return 2, true
	}
	return 0, false
}

// version names the module version vmexec was built from, its VCS
// revision when known, the guest kernel and the Go version.
func version() string {
	v := "(unknown)"
	var rev, dirty string
	if bi, ok := debug.ReadBuildInfo(); ok {
		v = bi.Main.Version
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "+dirty"
				}
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		v += " (" + rev + dirty + ")"
	}
	return fmt.Sprintf("vmexec %s, guest kernel %s %s, %s %s/%s",
		v, kernelPackage, kernelVersion, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
