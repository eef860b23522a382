package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// userTest is a test in another module that uses sctptest's fixtures, as
// docs/testing.md tells users to write them.
const userTest = `package usermod

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/sctpdial/sctpdial"
	"github.com/sctpdial/sctpdial/sctptest"
)

func TestUserEcho(t *testing.T) {
	sctptest.RequireGuest(t)
	ln, err := sctpdial.Listen("sctp", sctptest.LocalIPv4A+","+sctptest.LocalIPv4B+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			buf := make([]byte, 4)
			n, _ := c.Read(buf)
			c.Write(buf[:n])
			c.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var d sctpdial.Dialer
	c, err := d.DialContext(ctx, "sctp", net.JoinHostPort(sctptest.HostMulti4, strconv.Itoa(sctpdial.Port(ln.Addr()))))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("ping"))
	buf := make([]byte, 4)
	if n, err := c.Read(buf); err != nil || string(buf[:n]) != "ping" {
		t.Fatalf("echo: %q, %v", buf[:n], err)
	}
	t.Log("echoed over", c.RemoteAddr())
}
`

// TestUserModule runs another module's SCTP test with go test -exec
// vmexec, the way docs/testing.md documents it: a scratch module that
// requires this one through a replace directive, built offline from the
// module cache. It boots one guest.
func TestUserModule(t *testing.T) {
	if os.Getenv("SCTPDIAL_GUEST") == "1" {
		t.Skip("runs on the host: it boots a guest")
	}
	goTool, err := exec.LookPath("go")
	require.NoError(t, err)
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil && os.Getenv("SCTPDIAL_REQUIRE_QEMU") != "1" {
		t.Skip("qemu-system-x86_64 not installed (apt-get install qemu-system-x86)")
	}
	repo, err := filepath.Abs("../..")
	require.NoError(t, err)
	dir := t.TempDir()
	vmexec := filepath.Join(dir, "vmexec")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	run := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, goTool, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod -buildvcs=false", "GOPROXY=off", "GOWORK=off", "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %s:\n%s", strings.Join(args, " "), out)
		return string(out)
	}
	run(repo, "build", "-o", vmexec, "./cmd/vmexec")

	// The scratch module needs this module's requirements (the build is
	// offline) and go.sum.
	mod, err := os.ReadFile(filepath.Join(repo, "go.mod"))
	require.NoError(t, err)
	gomod := regexp.MustCompile(`(?m)^module .*$`).ReplaceAllString(string(mod), "module example.com/usermod") +
		"\nrequire github.com/sctpdial/sctpdial v0.0.0\n\nreplace github.com/sctpdial/sctpdial => " + repo + "\n"
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	require.NoError(t, err)
	user := filepath.Join(dir, "usermod")
	require.NoError(t, os.Mkdir(user, 0o755))
	for name, data := range map[string]string{"go.mod": gomod, "go.sum": string(sum), "user_test.go": userTest} {
		require.NoError(t, os.WriteFile(filepath.Join(user, name), []byte(data), 0o644))
	}
	out := run(user, "test", "-count=1", "-v", "-exec", vmexec, "./...")
	require.Contains(t, out, "--- PASS: TestUserEcho", out)
	require.NotContains(t, out, "SKIP", out)
	require.Regexp(t, `(?m)^ok\s+example.com/usermod`, out)
}
