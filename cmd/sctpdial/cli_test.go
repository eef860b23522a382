package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sctpdial/sctpdial/sctptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer safe for a run in another goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// result is what one run of the command left.
type result struct {
	code           int
	stdout, stderr string
}

// runCmd runs the command to completion.
func runCmd(t *testing.T, ctx context.Context, stdin string, args ...string) result {
	t.Helper()
	var out, errb syncBuffer
	code := run(ctx, args, strings.NewReader(stdin), &out, &errb)
	return result{code, out.String(), errb.String()}
}

// server is a listening run in the background.
type server struct {
	addr   string // as it printed it
	cancel context.CancelFunc
	done   chan int
	out    *syncBuffer
	errb   *syncBuffer
}

var listeningRE = regexp.MustCompile(`listening on (\S+)\n`)

// startServer runs sctpdial -l with args and waits for its address.
func startServer(t *testing.T, stdin string, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{cancel: cancel, done: make(chan int, 1), out: &syncBuffer{}, errb: &syncBuffer{}}
	go func() { s.done <- run(ctx, append([]string{"-l"}, args...), strings.NewReader(stdin), s.out, s.errb) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			t.Error("listener did not stop")
		}
	})
	require.Eventually(t, func() bool {
		m := listeningRE.FindStringSubmatch(s.errb.String())
		if m != nil {
			s.addr = m[1]
		}
		return m != nil
	}, 10*time.Second, 10*time.Millisecond, "no listening line: %s", s.errb)
	return s
}

// wait returns the server's exit status once it ends by itself.
func (s *server) wait(t *testing.T) int {
	t.Helper()
	select {
	case code := <-s.done:
		s.done <- code // for the cleanup
		return code
	case <-time.After(10 * time.Second):
		t.Fatalf("listener still running; stderr: %s", s.errb)
		return -1
	}
}

func twoAddrs(port string) string {
	return sctptest.LocalIPv4A + "," + sctptest.LocalIPv4B + ":" + port
}

func TestConnectEcho(t *testing.T) {
	sctptest.RequireGuest(t)
	s := startServer(t, "", "-echo", "-v", twoAddrs("0"))
	require.Regexp(t, `^192\.0\.2\.250,192\.0\.2\.251:[1-9][0-9]*$`, s.addr)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := runCmd(t, ctx, "hello\nworld\n", "-msg", "line", "-q", "500ms", "-stream", "1", "-ppid", "46", "-v", s.addr)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, "hello\nworld\n", r.stdout)
	// Each line was one message, echoed on its stream with its PPID.
	require.Equal(t, 2, strings.Count(r.stderr, "received 6 bytes, stream 1, ppid 46\n"), r.stderr)

	require.Equal(t, exitOK, s.wait(t), s.errb.String())
	require.Contains(t, s.errb.String(), "association from ")
	require.Equal(t, 2, strings.Count(s.errb.String(), "echoing 6 bytes, stream 1, ppid 46\n"), s.errb.String())
}

func TestConnectListenPipe(t *testing.T) {
	sctptest.RequireGuest(t)
	s := startServer(t, "from server\n", twoAddrs("0"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := runCmd(t, ctx, "from client\n", "-q", "2s", "-local", sctptest.LocalIPv4B+","+sctptest.LocalIPv4A, s.addr)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, "from server\n", r.stdout)
	require.Equal(t, exitOK, s.wait(t), s.errb.String())
	require.Equal(t, "from client\n", s.out.String())
}

func TestInfo(t *testing.T) {
	sctptest.RequireGuest(t)
	s := startServer(t, "", "-echo", "-streams", "5", twoAddrs("0"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := runCmd(t, ctx, "", "-info", "-streams", "3", s.addr)
	require.Equal(t, exitOK, r.code, r.stderr)
	t.Logf("-info:\n%s", r.stdout)
	require.Regexp(t, `association +id \d+, ESTABLISHED`, r.stdout)
	// Both ends are this guest's kernel with its defaults.
	require.Regexp(t, `features +PR-SCTP ECN\n`, r.stdout)
	require.Regexp(t, `streams +out 3, in 3`, r.stdout)
	require.Regexp(t, `peer +`+regexp.QuoteMeta(s.addr)+`\n`, r.stdout)
	require.Regexp(t, `primary +192\.0\.2\.250\n`, r.stdout)
	require.Regexp(t, `(?m)^192\.0\.2\.250 +ACTIVE +\d+(ms|s) .*primary$`, r.stdout)
	require.Regexp(t, `(?m)^192\.0\.2\.251 +(ACTIVE|UNCONFIRMED) `, r.stdout)
	require.Equal(t, exitOK, s.wait(t), s.errb.String())
}

// TestWatch: the watching side reports the peer's SHUTDOWN as it
// happens and ends with the association.
func TestWatch(t *testing.T) {
	sctptest.RequireGuest(t)
	s := startServer(t, "", twoAddrs("0"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-watch", "-interval", "100ms", s.addr}, strings.NewReader(""), &out, &errb)
	}()
	require.Eventually(t, func() bool { return strings.Contains(errb.String(), "path ") }, 10*time.Second, 10*time.Millisecond)
	// The watcher's stdin has ended, but -watch keeps going.
	time.Sleep(300 * time.Millisecond)
	select {
	case code := <-done:
		t.Fatalf("-watch ended at stdin EOF with %d: %s", code, errb.String())
	default:
	}
	s.cancel() // the listener closes the association gracefully
	select {
	case code := <-done:
		require.Equal(t, exitOK, code, errb.String())
	case <-time.After(10 * time.Second):
		t.Fatal("-watch did not end with the association")
	}
	t.Logf("-watch:\n%s", errb.String())
	require.Regexp(t, `\d\d:\d\d:\d\d\.\d{3} peer sent SHUTDOWN\n`, errb.String())
}

func TestExitStatusInGuest(t *testing.T) {
	sctptest.RequireGuest(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"refused", []string{"127.0.0.1:9"}, exitRefused, "(ECONNREFUSED)\nsctpdial: the peer answered with ABORT"},
		{"timeout", []string{"-t", "300ms", sctptest.SilentIPv4 + ",[" + sctptest.SilentIPv6 + "]:9"}, exitTimeout, "(timed out)\nsctpdial: no address answered the INIT"},
		{"dns", []string{"no-such-host.invalid:9"}, exitBadAddress, "the name did not resolve"},
		{"listen in use", []string{"-l", sctptest.LocalIPv4A + ":" + holdPort(t)}, exitFailure, "(EADDRINUSE)"},
		{"local not here", []string{"-local", "198.51.100.1", "127.0.0.1:9"}, exitFailure, "(EADDRNOTAVAIL)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			r := runCmd(t, ctx, "", tt.args...)
			t.Logf("%v after %v:\n%s", tt.args, time.Since(start).Round(time.Millisecond), r.stderr)
			require.Equal(t, tt.code, r.code)
			require.Contains(t, r.stderr, tt.msg)
			require.Empty(t, r.stdout)
		})
	}
}

// holdPort listens on LocalIPv4A until the test ends and returns the port.
func holdPort(t *testing.T) string {
	s := startServer(t, "", sctptest.LocalIPv4A+":0")
	_, port, _ := strings.Cut(s.addr, ":")
	return port
}

func TestDemo(t *testing.T) {
	sctptest.RequireGuest(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := runCmd(t, ctx, "", "demo")
	t.Logf("demo:\n%s%s", r.stdout, r.stderr)
	require.Equal(t, exitOK, r.code)
	require.Regexp(t, `listening on   192\.0\.2\.250,192\.0\.2\.251:\d+\n`, r.stdout)
	require.Regexp(t, `dialed         192\.0\.2\.250,192\.0\.2\.251:\d+ with one sctp_connectx`, r.stdout)
	require.Contains(t, r.stdout, "rto_initial")
	require.Contains(t, r.stdout, "errors.Is(err, context.Canceled) = true")
	require.Regexp(t, `connected in \S+ through 192\.0\.2\.250 after [2-9] INITs\n`, r.stdout)
	require.Contains(t, r.stdout, "INIT pacing set the first INIT's timeout to")

	r = runCmd(t, ctx, "", "demo", "-silent", "bogus.invalid")
	require.Equal(t, exitBadAddress, r.code, r.stderr)
	require.Contains(t, r.stderr, "the name did not resolve, so there was no dial to cancel")

	r = runCmd(t, ctx, "", "demo", "-addrs", sctptest.LocalIPv6A+","+sctptest.LocalIPv6B, "-silent", "")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Contains(t, r.stdout, "listening on   [2001:db8:beef::250],[2001:db8:beef::251]:")
}

// TestUsage needs no SCTP: everything here fails or succeeds before any
// socket.
func TestUsage(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"-h"}, exitOK, "EXIT STATUS", ""},
		{[]string{"--help"}, exitOK, "SYNOPSIS", ""},
		{nil, exitUsage, "", "missing address"},
		{[]string{"192.0.2.1:9", "extra"}, exitUsage, "", "options go before the address"},
		{[]string{"-4", "-6", "192.0.2.1:9"}, exitUsage, "", "-4 and -6 exclude each other"},
		{[]string{"-stream", "70000", "192.0.2.1:9"}, exitUsage, "", "-stream must be below 65536"},
		{[]string{"-msg", "word", "192.0.2.1:9"}, exitUsage, "", `-msg must be "read" or "line"`},
		{[]string{"-k", "192.0.2.1:9"}, exitUsage, "", "-k and -echo need -l"},
		{[]string{"-nosuchflag", "192.0.2.1:9"}, exitUsage, "", "flag provided but not defined"},
		{[]string{"192.0.2.1"}, exitBadAddress, "", "missing port in address"},
		{[]string{"2001:db8::1:9"}, exitBadAddress, "", "IPv6 literal must be enclosed in brackets"},
		{[]string{"-6", "192.0.2.1:9"}, exitBadAddress, "", "no suitable address found"},
		{[]string{"demo", "extra"}, exitUsage, "", `unexpected arguments ["extra"]`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runCmd(t, ctx, "", tt.args...)
			require.Equal(t, tt.code, r.code, r.stderr)
			require.Contains(t, r.stdout, tt.stdout)
			require.Contains(t, r.stderr, tt.stderr)
		})
	}
}

func TestClassify(t *testing.T) {
	opErr := func(err error) error {
		return &net.OpError{Op: "dial", Net: "sctp", Err: os.NewSyscallError("socket", err)}
	}
	tests := []struct {
		err  error
		code int
		hint string
	}{
		{opErr(syscall.EPROTONOSUPPORT), exitNoSCTP, "modprobe sctp"},
		{opErr(syscall.ESOCKTNOSUPPORT), exitNoSCTP, "modprobe sctp"},
		{opErr(syscall.ECONNREFUSED), exitRefused, "ABORT"},
		{opErr(syscall.ETIMEDOUT), exitTimeout, "no address answered"},
		{context.DeadlineExceeded, exitTimeout, "-t is too short"},
		{opErr(syscall.ENETUNREACH), exitUnreachable, "no route"},
		{&net.DNSError{Err: "no such host", Name: "x.invalid"}, exitBadAddress, "did not resolve"},
		{&net.AddrError{Err: "missing port in address"}, exitBadAddress, "brackets"},
		{opErr(syscall.EPIPE), exitFailure, "aborted"},
		{errors.New("other"), exitFailure, ""},
	}
	for _, tt := range tests {
		code, hint := classify(tt.err)
		assert.Equal(t, tt.code, code, "%v", tt.err)
		assert.Contains(t, hint, tt.hint, "%v", tt.err)
	}
	var b bytes.Buffer
	require.Equal(t, exitNoSCTP, report(&b, "connecting to 192.0.2.1:9", opErr(syscall.EPROTONOSUPPORT)))
	require.Equal(t, fmt.Sprintf("sctpdial: connecting to 192.0.2.1:9: dial sctp: socket: %v (EPROTONOSUPPORT)\n", syscall.EPROTONOSUPPORT), strings.SplitAfter(b.String(), "\n")[0])
}
