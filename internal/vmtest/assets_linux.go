package vmtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// guestModules are loaded in this order: the kernel ships no modules.dep,
// so dependencies come first (see "depends=" in `modinfo`).
var guestModules = []string{
	"lib/libcrc32c.ko",
	"net/ipv4/udp_tunnel.ko",
	"net/ipv6/ip6_udp_tunnel.ko",
	"net/sctp/sctp.ko",
	"drivers/net/veth.ko",
	"drivers/net/dummy.ko",
	"net/sched/sch_netem.ko", // depends= is empty, as for the next two
	"net/sched/sch_prio.ko",
	"net/sched/cls_u32.ko",
}

// assets are the host paths of the guest's parts.
type assets struct {
	kernel  string   // vmlinuz
	modules []string // .ko files, in load order
	stdin   []string // .ko files for the stdin port, in load order
	busybox string   // static busybox
}

// cacheDir is where extracted packages live: $SCTPDIAL_VM_CACHE, else
// <user cache dir>/sctpdial-vm, else a folder in the temporary directory.
func cacheDir() (string, error) {
	if d := os.Getenv("SCTPDIAL_VM_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		// Neither $XDG_CACHE_HOME nor $HOME: a per-user temporary folder.
		d = filepath.Join(os.TempDir(), "sctpdial-vm-"+strconv.Itoa(os.Getuid()))
		return d, nil
	}
	return filepath.Join(d, "sctpdial-vm"), nil
}

// Prepare makes sure the kernel, its modules and busybox are in the cache,
// downloading the Debian packages with apt-get when they are not. It is
// safe to call from concurrent processes.
func Prepare() (assets, error) {
	dir, err := cacheDir()
	if err != nil {
		return assets{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return assets{}, err
	}
	lock, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return assets{}, err
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		return assets{}, err
	}
	kdir, err := extracted(dir, kernelPackage, kernelVersion)
	if err != nil {
		return assets{}, err
	}
	bdir, err := extracted(dir, busyboxPackage, "")
	if err != nil {
		return assets{}, err
	}
	var a assets
	vmlinuz, _ := filepath.Glob(filepath.Join(kdir, "boot", "vmlinuz-*"))
	if len(vmlinuz) != 1 {
		return assets{}, fmt.Errorf("vmtest: no single vmlinuz in %s", kdir)
	}
	a.kernel = vmlinuz[0]
	mroots, _ := filepath.Glob(filepath.Join(kdir, "lib", "modules", "*", "kernel"))
	if len(mroots) != 1 {
		return assets{}, fmt.Errorf("vmtest: no single module tree in %s", kdir)
	}
	for _, m := range slices.Concat(guestModules, stdinModules) {
		p := filepath.Join(mroots[0], m)
		if _, err := os.Stat(p); err != nil {
			return assets{}, fmt.Errorf("vmtest: module missing: %w", err)
		}
		if len(a.modules) < len(guestModules) {
			a.modules = append(a.modules, p)
		} else {
			a.stdin = append(a.stdin, p)
		}
	}
	a.busybox = filepath.Join(bdir, "bin", "busybox")
	if _, err := os.Stat(a.busybox); err != nil {
		return assets{}, fmt.Errorf("vmtest: busybox missing: %w", err)
	}
	return a, nil
}

// extracted returns the directory holding the unpacked Debian package,
// downloading and unpacking it first when absent. An empty version takes
// the candidate version.
func extracted(cache, pkg, version string) (string, error) {
	name := pkg
	if version != "" {
		name += "_" + version
	}
	dst := filepath.Join(cache, name)
	if _, err := os.Stat(filepath.Join(dst, ".complete")); err == nil {
		return dst, nil
	}
	tmp, err := os.MkdirTemp(cache, ".dl-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	spec := pkg
	if version != "" {
		spec += "=" + version
	}
	if err := run(tmp, "apt-get", "download", spec); err != nil {
		return "", fmt.Errorf("vmtest: apt-get download %s: %w (run `apt-get update` first; the package is in Debian 12's archive, so elsewhere, as on Ubuntu, run in a debian:bookworm container or copy a filled cache into $SCTPDIAL_VM_CACHE; see docs/testing.md)", spec, err)
	}
	debs, _ := filepath.Glob(filepath.Join(tmp, "*.deb"))
	if len(debs) != 1 {
		return "", errors.New("vmtest: apt-get download produced no single .deb for " + spec)
	}
	root := filepath.Join(tmp, "root")
	if err := run(tmp, "dpkg-deb", "-x", debs[0], root); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(root, ".complete"), []byte(spec+"\n"), 0o644); err != nil {
		return "", err
	}
	os.RemoveAll(dst)
	if err := os.Rename(root, dst); err != nil {
		return "", err
	}
	return dst, nil
}

func run(dir, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}
