package leakcheck

import (
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestCheck: a descriptor, a goroutine and threads beyond the slack
// left behind are each reported, naming what leaked; once they are gone
// the report is empty.
func TestCheck(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("descriptors and threads are read from /proc")
	}
	settle = 200 * time.Millisecond
	defer func() { settle = 5 * time.Second }()

	s := Take()
	require.Empty(t, s.Check(Slack))

	path := filepath.Join(t.TempDir(), "leaked")
	f, err := os.Create(path)
	require.NoError(t, err)
	stop := make(chan struct{})
	go func() { <-stop }()

	r := s.Check(Slack)
	require.Contains(t, r, "1 descriptor(s)")
	require.Contains(t, r, "fd "+strconv.Itoa(int(f.Fd()))+" → "+path)
	require.Contains(t, r, "goroutines started by the tests are still running")
	require.Contains(t, r, "leakcheck.TestCheck")

	require.NoError(t, f.Close())
	close(stop)
	require.Empty(t, s.Check(Slack))
	require.Contains(t, s.Check(-1), "OS threads grew", "a negative slack makes the current count a leak")
}

// TestDescribeSocket: a leaked socket is described with its line from
// /proc/net, so its address and port show.
func TestDescribeSocket(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("sockets are described from /proc/net")
	}
	s := Take()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	fds := s.newFDs()
	require.Len(t, fds, 1)
	var b strings.Builder
	describeFD(&b, fds[0])
	port := ln.Addr().(*net.TCPAddr).Port
	require.Contains(t, b.String(), "socket:[")
	require.Contains(t, b.String(), "tcp: sl local_address")
	require.Contains(t, b.String(), fmt.Sprintf("0100007F:%04X", port), "the socket's address and port: %s", b.String())
	for _, target := range openFDs() {
		require.NotEqual(t, fmt.Sprintf("/proc/%d/fd", os.Getpid()), target, "the directory being read is left out")
	}
}

// TestOutputFilesIgnored: the file a go test output flag names (the
// testing package keeps the CPU profile's open until exit) is not a leak;
// another file opened the same way is.
func TestOutputFilesIgnored(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("descriptors are read from /proc")
	}
	settle = 200 * time.Millisecond
	defer func() { settle = 5 * time.Second }()
	flagFile := flag.Lookup("test.cpuprofile")
	require.NotNil(t, flagFile)
	old := flagFile.Value.String()
	defer flagFile.Value.Set(old)

	dir := t.TempDir()
	profile, other := filepath.Join(dir, "cpu.out"), filepath.Join(dir, "other.out")
	require.NoError(t, flagFile.Value.Set(profile))
	s := Take()
	for _, path := range []string{profile, other} {
		f, err := os.Create(path)
		require.NoError(t, err)
		defer f.Close()
	}
	r := s.Check(Slack)
	require.Contains(t, r, "1 descriptor(s)")
	require.Contains(t, r, other)
	require.NotContains(t, r, profile)
}
