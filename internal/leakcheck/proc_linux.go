package leakcheck

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// openFDs lists the process's descriptors from /proc/self/fd with what
// each points at, leaving out the one that reads the directory.
func openFDs() map[int]string {
	self := fmt.Sprintf("/proc/%d/fd", os.Getpid())
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil
	}
	fds := make(map[int]string, len(ents))
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err != nil || target == self {
			// Gone meanwhile, or the directory being read.
			continue
		}
		fds[fd] = target
	}
	return fds
}

// threads reads the process's thread count from /proc/self/status, or -1.
func threads() int {
	v, ok := statusField("/proc/self/status", "Threads")
	if !ok {
		return -1
	}
	return v
}

// statusField reads a number from a "Name:\tvalue" file such as
// /proc/self/status.
func statusField(path, name string) (int, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), name+":"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			return n, err == nil
		}
	}
	return 0, false
}

// sockTables are the /proc/net files whose lines name a socket's inode.
var sockTables = []string{"sctp/assocs", "sctp/eps", "tcp", "tcp6", "udp", "udp6", "raw", "raw6", "unix", "netlink"}

// describeFD writes one line about fd: what it points at, its flags and,
// for a socket, its line in the network namespace's tables (an SCTP
// association shows its ports and both address lists), so that the test
// that opened it can be found.
func describeFD(b *strings.Builder, fd int) {
	target, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd))
	if err != nil {
		fmt.Fprintf(b, "  fd %d: closed while being described\n", fd)
		return
	}
	fmt.Fprintf(b, "  fd %d → %s", fd, target)
	if info, err := os.ReadFile(fmt.Sprintf("/proc/self/fdinfo/%d", fd)); err == nil {
		for _, l := range strings.Split(string(info), "\n") {
			if v, ok := strings.CutPrefix(l, "flags:"); ok {
				fmt.Fprintf(b, " (flags %s)", strings.TrimSpace(v))
			}
		}
	}
	if inode, ok := strings.CutPrefix(target, "socket:["); ok {
		inode = strings.TrimSuffix(inode, "]")
		if where := findSocket(inode); where != "" {
			fmt.Fprintf(b, "\n      %s", where)
		} else {
			b.WriteString("\n      (in no table of this network namespace: made in another one, or not yet bound)")
		}
	}
	b.WriteByte('\n')
}

// findSocket returns the /proc/net line of the socket with that inode.
func findSocket(inode string) string {
	for _, table := range sockTables {
		data, err := os.ReadFile("/proc/net/" + table)
		if err != nil {
			continue
		}
		lines := strings.Split(string(data), "\n")
		for _, l := range lines[1:] {
			for _, f := range strings.Fields(l) {
				if f == inode {
					return fmt.Sprintf("%s: %s | %s", table, strings.Join(strings.Fields(lines[0]), " "), strings.Join(strings.Fields(l), " "))
				}
			}
		}
	}
	return ""
}
