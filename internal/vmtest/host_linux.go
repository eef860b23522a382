package vmtest

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// Options tune a guest run. The zero value is ready to use; Run fills it
// from SCTPDIAL_VM_* environment variables (see docs/testing.md).
type Options struct {
	MemoryMB int           // guest memory; default 2048
	CPUs     int           // guest CPUs; default 2
	Accel    string        // QEMU accelerator; default "tcg" (nested KVM is unreliable)
	Timeout  time.Duration // bound on the whole guest run; default from -test.timeout + 2m, else 20m
	// BootTimeout bounds the boot, until the guest starts the program;
	// default SCTPDIAL_VM_BOOT_TIMEOUT, else 2m. A guest that hangs
	// before is killed and, without Stdin, booted once more.
	BootTimeout time.Duration
	Stdin       io.Reader // the program's stdin; nil means none (/dev/null in the guest)
	Stdout      io.Writer // default os.Stdout
	Stderr      io.Writer // runner diagnostics; default os.Stderr
}

func (o *Options) fill(args []string) {
	envInt := func(name string, def int) int {
		if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
			return v
		}
		return def
	}
	if o.MemoryMB == 0 {
		o.MemoryMB = envInt("SCTPDIAL_VM_MEMORY_MB", 2048)
	}
	if o.CPUs == 0 {
		o.CPUs = envInt("SCTPDIAL_VM_CPUS", 2)
	}
	if o.Accel == "" {
		o.Accel = os.Getenv("SCTPDIAL_VM_ACCEL")
	}
	if o.Accel == "" {
		o.Accel = "tcg"
	}
	if o.Timeout == 0 {
		if d, err := time.ParseDuration(os.Getenv("SCTPDIAL_VM_TIMEOUT")); err == nil && d > 0 {
			o.Timeout = d
		}
	}
	if o.Timeout == 0 {
		o.Timeout = 20 * time.Minute
		for _, a := range args {
			if v, ok := strings.CutPrefix(a, "-test.timeout="); ok {
				if d, err := time.ParseDuration(v); err == nil && d > 0 {
					o.Timeout = d + 2*time.Minute
				}
			}
		}
	}
	if o.BootTimeout == 0 {
		if d, err := time.ParseDuration(os.Getenv("SCTPDIAL_VM_BOOT_TIMEOUT")); err == nil && d > 0 {
			o.BootTimeout = d
		} else {
			o.BootTimeout = 2 * time.Minute
		}
	}
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
}

// Main is the whole of cmd/vmexec: as PID 1 it is the guest's init;
// otherwise it runs args[0] with args[1:] natively when the host has SCTP,
// else in a guest, and returns the exit status to use.
func Main(args []string) int {
	if os.Getpid() == 1 {
		guestInit()
		return 0 // not reached
	}
	if code, done := hostFlag(args, os.Stdout, os.Stderr); done {
		return code
	}
	if args[0] == "-prepare" || args[0] == "--prepare" {
		a, err := Prepare()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("guest kernel:  %s (%s %s)\nmodules:       %d, in load order\nbusybox:       %s\n",
			a.kernel, kernelPackage, kernelVersion, len(a.modules), a.busybox)
		if ok, err := HostHasSCTP(); ok {
			fmt.Println("this kernel has SCTP: programs will run natively")
		} else {
			fmt.Printf("this kernel has no SCTP (%v): programs will run in the guest\n", err)
		}
		return 0
	}
	if ok, _ := HostHasSCTP(); ok && os.Getenv("SCTPDIAL_VM_FORCE") != "1" {
		return runNative(args)
	}
	if code, err := checkProgram(args[0]); err != nil {
		fmt.Fprintln(os.Stderr, "vmexec:", err)
		return code
	}
	if matchesNothing(args) {
		return runNative(args) // prints "no tests to run" as in the guest
	}
	fmt.Fprintf(os.Stderr, "vmexec: no SCTP in this kernel; running %s in a QEMU guest (%s)\n",
		filepath.Base(args[0]), kernelPackage)
	var o Options
	if !isDevNull(os.Stdin) {
		o.Stdin = os.Stdin
	}
	code, err := Run(context.Background(), args, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vmexec:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

func runNative(args []string) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), EnvRequireSCTP+"=1")
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "vmexec:", err)
		return 1
	}
	return 0
}

// Run boots a guest that runs args[0] with args[1:] in a copy of the
// current directory's testdata, streams its output and returns its exit
// status. A guest that does not finish within the timeout is killed and
// reported as an error.
func Run(ctx context.Context, args []string, o Options) (int, error) {
	o.fill(args)
	a, err := Prepare()
	if err != nil {
		return 1, err
	}
	tmp, err := os.MkdirTemp("", "vmexec-")
	if err != nil {
		return 1, err
	}
	defer os.RemoveAll(tmp)
	initrd := filepath.Join(tmp, "initrd.cpio")
	if err := buildInitramfs(initrd, a, args, o.Stdin != nil); err != nil {
		return 1, fmt.Errorf("building initramfs: %w", err)
	}
	// no_timer_check: under TCG on a busy host the kernel's IO-APIC timer
	// check can miss its ticks and panic ("IO-APIC + timer doesn't
	// work!"); the emulated timer is fine, so skip the check.
	qargs := []string{
		"-accel", o.Accel, "-cpu", "max", "-m", strconv.Itoa(o.MemoryMB), "-smp", strconv.Itoa(o.CPUs),
		"-nic", "none", "-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot",
		"-kernel", a.kernel, "-initrd", initrd,
		"-append", "console=ttyS0 quiet loglevel=1 panic=-1 no_timer_check rdinit=/init",
	}
	if o.Stdin != nil {
		feeder, err := newStdinFeeder(filepath.Join(tmp, "stdin.sock"), o.Stdin)
		if err != nil {
			return 1, fmt.Errorf("stdin: %w", err)
		}
		defer feeder.Close()
		qargs = append(qargs, feeder.qemuArgs()...)
	}

	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	for attempt := 1; ; attempt++ {
		code, booted, err := boot(ctx, qargs, args, o)
		// A guest that hung before starting the program (seen under TCG
		// on a busy host) is booted once more, unless its stdin was
		// already being read.
		if booted || err == nil || o.Stdin != nil || attempt == 2 || ctx.Err() != nil {
			return code, err
		}
		fmt.Fprintf(o.Stderr, "vmexec: %v; booting again\n", err)
	}
}

// boot runs QEMU once and reports whether the guest started the program.
func boot(ctx context.Context, qargs, args []string, o Options) (code int, booted bool, err error) {
	qemu := exec.CommandContext(ctx, "qemu-system-x86_64", qargs...)
	qemu.Stdin = nil
	qemu.Stderr = o.Stderr
	out, err := qemu.StdoutPipe()
	if err != nil {
		return 1, false, err
	}
	qemu.WaitDelay = 5 * time.Second
	if err := qemu.Start(); err != nil {
		return 1, false, fmt.Errorf("starting qemu (install qemu-system-x86): %w", err)
	}
	start := time.Now()
	var began, bootHung atomic.Bool
	watchdog := time.AfterFunc(o.BootTimeout, func() {
		if !began.Load() {
			bootHung.Store(true)
			qemu.Process.Kill()
		}
	})
	defer watchdog.Stop()
	outputs := outputPaths(args[1:])
	code, perr := readConsole(out, o.Stdout, func(p string) bool {
		p = filepath.Clean(p)
		for _, o := range outputs {
			if p == o || strings.HasPrefix(p, o+"/") {
				return true
			}
		}
		return false
	}, func() { began.Store(true) })
	werr := qemu.Wait()
	switch {
	case bootHung.Load():
		return 1, false, fmt.Errorf("guest did not start the program within %v (SCTPDIAL_VM_BOOT_TIMEOUT): killed", o.BootTimeout)
	case ctx.Err() == context.DeadlineExceeded:
		return 1, began.Load(), fmt.Errorf("guest still running after %v: killed (raise SCTPDIAL_VM_TIMEOUT or -timeout)", o.Timeout)
	case perr != nil:
		return 1, began.Load(), fmt.Errorf("%w (qemu: %v, after %v)", perr, werr, time.Since(start).Round(time.Millisecond))
	}
	return code, true, nil
}

// readConsole copies the program's output between the markers to w, writes
// files sent back by the guest, and returns the program's exit status.
// Only paths for which allow returns true are written; began, if not nil,
// is called when the guest starts the program.
func readConsole(r io.Reader, w io.Writer, allow func(path string) bool, began func()) (int, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var noise []string // pre-begin lines, reported when the guest fails
	started := false
	heldBlank := false // the guest prints a newline before its exit marker
	var file *os.File  // nil while receiving a file that is not allowed
	receiving := false
	var fileData bytes.Buffer
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			text := strings.TrimRight(line, "\r\n")
			switch {
			case !started:
				if strings.Contains(text, markBegin) {
					started = true
					if began != nil {
						began()
					}
				} else if noise = append(noise, text); len(noise) > 40 {
					noise = noise[1:]
				}
			case strings.HasPrefix(text, markExit):
				code, cerr := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(text, markExit)))
				if cerr != nil {
					return 1, fmt.Errorf("bad exit line %q", text)
				}
				return code, nil
			case strings.HasPrefix(text, markFile):
				receiving = true
				name := strings.TrimPrefix(text, markFile)
				if allow(name) {
					os.MkdirAll(filepath.Dir(name), 0o755)
					if f, ferr := os.Create(name); ferr == nil {
						file = f
					}
				}
				fileData.Reset()
			case text == markFileEnd:
				receiving = false
				if file != nil {
					dec, derr := base64.StdEncoding.DecodeString(fileData.String())
					if derr == nil {
						file.Write(dec)
					}
					file.Close()
					file = nil
				}
			case receiving:
				fileData.WriteString(text)
			case text == "" && !heldBlank:
				heldBlank = true
			default:
				if heldBlank {
					io.WriteString(w, "\n")
					heldBlank = false
				}
				// Keep a partial last line as it is; restore the newline
				// the serial line turned into CR LF.
				if strings.HasSuffix(line, "\n") {
					text += "\n"
				}
				io.WriteString(w, text)
			}
		}
		if err != nil {
			if !started {
				return 1, fmt.Errorf("guest never started the program; last console lines:\n%s", strings.Join(noise, "\n"))
			}
			return 1, errors.New("guest stopped without reporting an exit status (kernel panic or out of memory?)")
		}
	}
}

// buildInitramfs writes the guest's root file system: init (this
// executable), busybox, the modules, the program and its libraries, the
// package's testdata, and the fixture files.
func buildInitramfs(dst string, a assets, args []string, stdin bool) error {
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	defer f.Close()
	c := newCPIOWriter(f)
	c.charDev("/dev/console", 5, 1)
	c.charDev("/dev/null", 1, 3)
	c.mkdirAll("/tmp")
	c.mkdirAll("/proc")
	c.mkdirAll("/sys")
	c.mkdirAll("/root")

	self, err := os.Executable()
	if err != nil {
		return err
	}
	if err := addELF(c, "/init", self); err != nil {
		return err
	}
	c.hostFile("/bin/busybox", a.busybox)
	for _, applet := range []string{"sh", "ip", "ls", "cat", "sysctl", "ps", "sleep", "mount", "ping", "ss", "dmesg"} {
		c.symlink("/bin/"+applet, "busybox")
	}
	cfg := guestConfig{Dir: "/vmexec/pkg"}
	for _, m := range a.modules {
		g := "/lib/modules/" + filepath.Base(m)
		c.hostFile(g, m)
		cfg.Modules = append(cfg.Modules, g)
	}
	if stdin {
		cfg.Stdin = true
		for _, m := range a.stdin {
			g := "/lib/modules/" + filepath.Base(m)
			c.hostFile(g, m)
			cfg.Modules = append(cfg.Modules, g)
		}
	}
	prog := "/vmexec/bin/" + filepath.Base(args[0])
	if err := addELF(c, prog, args[0]); err != nil {
		return err
	}
	cfg.Args = append([]string{prog}, args[1:]...)
	cfg.Files = outputPaths(args[1:])
	for _, arg := range args[1:] {
		if strings.HasPrefix(arg, "-test.gocoverdir=") || strings.HasPrefix(arg, "-test.outputdir=") {
			_, v, _ := strings.Cut(arg, "=")
			cfg.Dirs = append(cfg.Dirs, filepath.Clean(v))
		}
	}
	if fi, err := os.Stat("testdata"); err == nil && fi.IsDir() {
		c.hostTree("/vmexec/pkg/testdata", "testdata")
	}
	c.mkdirAll(cfg.Dir)

	cfg.Env = []string{"PATH=/bin", "HOME=/root", "TMPDIR=/tmp", EnvRequireSCTP + "=1", EnvGuest + "=1"}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "SCTPDIAL_") && k != EnvRequireSCTP && k != EnvGuest ||
			k == "GODEBUG" || k == "GOTRACEBACK" || k == "GOMAXPROCS" || k == "GORACE" || k == "GOGC" {
			cfg.Env = append(cfg.Env, kv)
		}
	}
	js, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	c.file("/vmexec/config.json", 0o644, js)
	c.file("/etc/hosts", 0o644, []byte(hostsFile()))
	c.file("/etc/nsswitch.conf", 0o644, []byte("hosts: files dns\n"))
	c.file("/etc/resolv.conf", 0o644, []byte("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n"))
	c.file("/etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/bin/sh\n"))
	c.file("/etc/group", 0o644, []byte("root:x:0:\n"))
	return c.close()
}

// outputPaths lists the absolute paths named by output flags in args.
func outputPaths(args []string) []string {
	var paths []string
	for _, arg := range args {
		for _, flag := range outputFlags {
			if v, ok := strings.CutPrefix(arg, flag); ok && filepath.IsAbs(v) {
				paths = append(paths, filepath.Clean(v))
			}
		}
	}
	return paths
}

func hostsFile() string {
	var b strings.Builder
	b.WriteString("127.0.0.1 localhost\n::1 localhost ip6-localhost\n")
	names := make([]string, 0, len(Hosts))
	for n := range Hosts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, ip := range Hosts[n] {
			fmt.Fprintf(&b, "%s %s\n", ip, n)
		}
	}
	return b.String()
}

// addELF adds an executable and, when it is dynamically linked (as -race
// and cgo binaries are), its interpreter and shared libraries at their host
// paths.
func addELF(c *cpioWriter, dst, src string) error {
	c.hostFile(dst, src)
	libs, err := sharedLibs(src)
	if err != nil {
		return err
	}
	for _, l := range libs {
		if !c.dirs["lib:"+l] {
			c.dirs["lib:"+l] = true
			c.hostFile(l, l)
		}
	}
	return nil
}

// sharedLibs lists the interpreter and libraries of a dynamic executable.
func sharedLibs(exe string) ([]string, error) {
	ef, err := elf.Open(exe)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", exe, err)
	}
	defer ef.Close()
	dynamic := false
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP {
			dynamic = true
		}
	}
	if !dynamic {
		return nil, nil
	}
	out, err := exec.Command("ldd", exe).Output()
	if err != nil {
		return nil, fmt.Errorf("ldd %s: %w", exe, err)
	}
	var libs []string
	for _, line := range strings.Split(string(out), "\n") {
		for _, field := range strings.Fields(line) {
			if path.IsAbs(field) {
				libs = append(libs, field)
			}
		}
	}
	return libs, nil
}

// exitCode extracts a process's exit status, mapping death by signal to
// 128+signal as shells do.
func exitCode(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}
