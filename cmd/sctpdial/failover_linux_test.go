package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sctpdial/sctpdial/sctptest"
	"github.com/stretchr/testify/require"
)

// sctpdial failover builds the namespaces, cuts the primary path, prints
// the kernel's view as it changes and the stall, and restores the path.
func TestFailoverDemo(t *testing.T) {
	sctptest.RequireGuest(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r := runCmd(t, ctx, "", "failover", "-within", "2s")
	t.Logf("sctpdial failover:\n%s", r.stdout)
	require.Equal(t, exitOK, r.code, r.stderr)
	out := r.stdout
	require.Regexp(t, `path 0 +client 192\.0\.2\.1 <-> server 192\.0\.2\.2`, out)
	require.Regexp(t, `dialed +192\.0\.2\.2,198\.51\.100\.2:\d+, primary 192\.0\.2\.2`, out)
	// In order: the cut, the path failing, the restore, the path back.
	cut := strings.Index(out, "cutting path 0")
	require.Positive(t, cut)
	require.Greater(t, strings.Index(out, "primary 198.51.100.2 (was 192.0.2.2)"), cut, "the primary moves after the cut")
	order := []string{
		"cutting path 0",
		"peer address 192.0.2.2 ADDR_POTENTIALLY_FAILED",
		"peer address 192.0.2.2 ADDR_UNREACHABLE",
		"restoring path 0",
		"peer address 192.0.2.2 ADDR_AVAILABLE",
	}
	at := 0
	for _, s := range order {
		i := strings.Index(out[at:], s)
		require.GreaterOrEqual(t, i, 0, "%q missing, or not after %q", s, out[:at])
		at += i + len(s)
	}
	require.Regexp(t, `echoed +\d+ messages, none lost or out of order`, out)
	m := regexp.MustCompile(`longest stall +(\S+), from \S+ (?:before|after) the cut: (within|beyond) the 2s bound`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	stall, err := time.ParseDuration(m[1])
	require.NoError(t, err)
	require.Positive(t, stall)
	require.Equal(t, "within", m[2])
	require.Regexp(t, `primary +198\.51\.100\.2 \(switch-over moved it`, out)
}

func TestFailoverUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"failover", "extra"}, "unexpected arguments"},
		{[]string{"failover", "-family", "ipx"}, `-family must be "ipv4", "ipv6" or "mixed"`},
		{[]string{"failover", "-within", "0s"}, "-within must be positive"},
		{[]string{"failover", "-down", "-1s"}, "-down and -up not negative"},
	} {
		r := runCmd(t, context.Background(), "", tc.args...)
		require.Equal(t, exitUsage, r.code, "%v", tc.args)
		require.Contains(t, r.stderr, tc.want, "%v", tc.args)
	}
	r := runCmd(t, context.Background(), "", "failover", "-h")
	require.Equal(t, exitOK, r.code)
	require.Contains(t, r.stderr, "usage: sctpdial failover")
}
