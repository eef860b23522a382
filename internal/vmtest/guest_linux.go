package vmtest

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// guestInit is PID 1 in the guest. It never returns: it powers the
// machine off, and a panic in it panics the kernel, which QEMU turns into
// an exit (panic=-1, -no-reboot) that the host reports.
func guestInit() {
	console := os.Stdout
	code := 1
	defer func() {
		fmt.Fprintf(console, "\n%s%d\n", markExit, code)
		unix.Sync()
		unix.Reboot(unix.LINUX_REBOOT_CMD_POWER_OFF)
	}()
	cfg, err := guestSetup()
	if err != nil {
		fmt.Fprintf(console, "%s\nvmexec guest: %v\n", markBegin, err)
		return
	}
	fmt.Fprintf(console, "%s\n", markBegin)
	// The test binary creates its output files but not their directories.
	for _, f := range cfg.Files {
		os.MkdirAll(filepath.Dir(f), 0o755)
	}
	for _, d := range cfg.Dirs {
		os.MkdirAll(d, 0o755)
	}
	cmd := exec.Command(cfg.Args[0], cfg.Args[1:]...)
	cmd.Dir, cmd.Env = cfg.Dir, cfg.Env
	cmd.Stdout, cmd.Stderr = console, console
	if cfg.Stdin {
		in, err := openStdinPort(10 * time.Second)
		if err != nil {
			fmt.Fprintf(console, "vmexec guest: stdin: %v\n", err)
			return
		}
		defer in.Close()
		cmd.Stdin = in
	}
	err = cmd.Run()
	switch {
	case cmd.ProcessState != nil:
		code = exitCode(cmd.ProcessState)
	default:
		fmt.Fprintf(console, "vmexec guest: %v\n", err)
	}
	sendFiles(console, cfg.Files)
}

func guestSetup() (guestConfig, error) {
	var cfg guestConfig
	for _, m := range []struct{ src, dst, fstype string }{
		{"proc", "/proc", "proc"},
		{"sysfs", "/sys", "sysfs"},
		{"devtmpfs", "/dev", "devtmpfs"},
		{"tmpfs", "/tmp", "tmpfs"},
	} {
		if err := unix.Mount(m.src, m.dst, m.fstype, 0, ""); err != nil {
			return cfg, fmt.Errorf("mount %s: %w", m.dst, err)
		}
	}
	// Tests open thousands of sockets.
	unix.Setrlimit(unix.RLIMIT_NOFILE, &unix.Rlimit{Cur: 65536, Max: 65536})
	js, err := os.ReadFile("/vmexec/config.json")
	if err != nil {
		return cfg, err
	}
	if err := json.Unmarshal(js, &cfg); err != nil {
		return cfg, err
	}
	for _, m := range cfg.Modules {
		if err := loadModule(m); err != nil {
			return cfg, fmt.Errorf("insmod %s: %w", m, err)
		}
	}
	return cfg, SetUpNetwork()
}

func loadModule(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	err = unix.FinitModule(int(f.Fd()), "", 0)
	if err == unix.EEXIST {
		return nil
	}
	return err
}

// SetUpNetwork lays out the network fixtures documented in fixtures.go. The
// guest's init calls it at boot; a test that changed them (deleting an
// address also deletes the routes that use it as their source) calls it
// again to restore them. What is already in place is left alone.
func SetUpNetwork() error {
	writes := [][2]string{
		{"/proc/sys/net/ipv6/conf/all/accept_dad", "0"},
		{"/proc/sys/net/ipv6/conf/default/accept_dad", "0"},
		{"/proc/sys/net/ipv6/conf/dummy0/accept_dad", "0"},
	}
	for _, w := range writes {
		if err := os.WriteFile(w[0], []byte(w[1]), 0); err != nil {
			return err
		}
	}
	cmds := [][]string{
		{"link", "set", "lo", "up"},
		{"link", "set", "dummy0", "up"},
		{"addr", "add", LocalIPv4A + "/32", "dev", "dummy0"},
		{"addr", "add", LocalIPv4B + "/32", "dev", "dummy0"},
		{"-6", "addr", "add", LocalIPv6A + "/128", "dev", "dummy0"},
		{"-6", "addr", "add", LocalIPv6B + "/128", "dev", "dummy0"},
		{"route", "add", SilentPrefixIPv4, "dev", "dummy0", "src", LocalIPv4A},
		{"-6", "route", "add", SilentPrefixIPv6, "dev", "dummy0", "src", LocalIPv6A},
	}
	for _, args := range cmds {
		out, err := exec.Command("/bin/busybox", append([]string{"ip"}, args...)...).CombinedOutput()
		if err != nil && !strings.Contains(string(out), "File exists") {
			return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	return nil
}

// sendFiles sends the files the program wrote back over the console,
// base64-encoded between markers (directories: every file in them).
func sendFiles(console *os.File, files []string) {
	w := bufio.NewWriter(console)
	defer w.Flush()
	for _, f := range files {
		var paths []string
		if fi, err := os.Stat(f); err != nil {
			continue
		} else if fi.IsDir() {
			fsWalk(os.DirFS(f), func(p string, isDir bool) {
				if !isDir {
					paths = append(paths, filepath.Join(f, p))
				}
			})
		} else {
			paths = []string{f}
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			enc := base64.StdEncoding.EncodeToString(data)
			fmt.Fprintf(w, "\n%s%s\n", markFile, p)
			for len(enc) > 76 {
				fmt.Fprintln(w, enc[:76])
				enc = enc[76:]
			}
			fmt.Fprintf(w, "%s\n%s\n", enc, markFileEnd)
		}
	}
}
