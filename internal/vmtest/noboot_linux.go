package vmtest

import (
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// matchesNothing reports whether args run a Go test binary whose -test.run
// pattern selects no test, benchmark, fuzz target or example, as
// `go test -run X ./...` does for most packages: the binary then has
// nothing that needs SCTP, so it can run natively instead of booting a
// guest. It asks the binary itself (-test.list with the same pattern) and
// answers false whenever it cannot be sure: a pattern with subtests
// ('/'), benchmarks or fuzzing asked for, or a listing that fails.
func matchesNothing(args []string) bool {
	if !strings.HasSuffix(args[0], ".test") {
		return false
	}
	run := ""
	for _, a := range args[1:] {
		switch {
		case strings.HasPrefix(a, "-test.run="):
			run = strings.TrimPrefix(a, "-test.run=")
		case strings.HasPrefix(a, "-test.bench="), strings.HasPrefix(a, "-test.fuzz="), strings.HasPrefix(a, "-test.list="):
			if !strings.HasSuffix(a, "=") {
				return false
			}
		}
	}
	if run == "" || strings.Contains(run, "/") {
		return false
	}
	out, err := exec.Command(args[0], "-test.list="+run).Output()
	return err == nil && strings.TrimSpace(string(out)) == ""
}

// checkProgram fails early, with a shell's exit status (127: not found,
// 126: not executable), for a program that cannot run in the guest: the
// guest runs Linux executables only (ELF, not scripts: it has no
// interpreter but busybox sh).
func checkProgram(p string) (int, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return 127, err
	}
	if fi.IsDir() || fi.Mode()&0o111 == 0 {
		return 126, fmt.Errorf("%s: not an executable file", p)
	}
	ef, err := elf.Open(p)
	if err != nil {
		return 126, fmt.Errorf("%s: not an ELF executable, which is all the guest runs: %v", p, err)
	}
	ef.Close()
	return 0, nil
}
