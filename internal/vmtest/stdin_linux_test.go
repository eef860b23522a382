package vmtest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// stdinProgram is what TestGuestProgram runs in mode "stdin": it echoes
// the first line at once, then reports the size and hash of the rest.
func stdinProgram() {
	br := bufio.NewReader(os.Stdin)
	line, err := br.ReadString('\n')
	fmt.Printf("LINE %q %v\n", strings.TrimSuffix(line, "\n"), err)
	h := sha256.New()
	n, err := io.Copy(h, br)
	fmt.Printf("REST %d %x %v\n", n, h.Sum(nil), err)
}

// lineWatcher is an io.Writer that collects output and signals once a
// line with the given prefix was written.
type lineWatcher struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	prefix string
	seen   chan struct{}
	once   sync.Once
}

func (w *lineWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.prefix) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

func (w *lineWatcher) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestBootStdin checks that stdin streams into the guest (the first line
// is answered while the host still holds the rest back), arrives intact
// (binary data, every byte value) and ends with EOF.
func TestBootStdin(t *testing.T) {
	requireQEMU(t)
	t.Setenv(guestMode, "stdin")
	rest := make([]byte, 256<<10)
	rng := rand.NewChaCha8([32]byte{1})
	rng.Read(rest)
	want := sha256.Sum256(rest)

	pr, pw := io.Pipe()
	out := &lineWatcher{prefix: `LINE "ping" <nil>`, seen: make(chan struct{})}
	type result struct {
		code int
		err  error
	}
	done := make(chan result, 1)
	go func() {
		code, err := Run(context.Background(), []string{os.Args[0], "-test.run=^TestGuestProgram$"},
			Options{Stdin: pr, Stdout: out, Timeout: 3 * time.Minute})
		done <- result{code, err}
	}()
	_, err := pw.Write([]byte("ping\n"))
	require.NoError(t, err)
	select {
	case <-out.seen:
	case r := <-done:
		t.Fatalf("guest ended before answering the first line: %d %v; console: %s", r.code, r.err, out)
	case <-time.After(2 * time.Minute):
		t.Fatalf("the first line never reached the program; console: %s", out)
	}
	_, err = pw.Write(rest)
	require.NoError(t, err)
	require.NoError(t, pw.Close())
	r := <-done
	require.NoError(t, r.err, "console: %s", out)
	require.Equal(t, 0, r.code, "console: %s", out)
	require.Contains(t, out.String(), fmt.Sprintf("REST %d %x <nil>", len(rest), want), "console: %s", out)
}

func TestHostFlags(t *testing.T) {
	tests := []struct {
		args       []string
		code       int
		handled    bool
		out, errOu string
	}{
		{args: nil, code: 2, handled: true, errOu: "usage: vmexec PROGRAM"},
		{args: []string{"-h"}, code: 0, handled: true, out: "go test -exec vmexec ./..."},
		{args: []string{"-help"}, code: 0, handled: true, out: "SCTPDIAL_VM_CACHE"},
		{args: []string{"--help"}, code: 0, handled: true, out: "EXIT STATUS"},
		{args: []string{"-version"}, code: 0, handled: true, out: "vmexec "},
		{args: []string{"--version"}, code: 0, handled: true, out: kernelPackage},
		{args: []string{"-bogus"}, code: 2, handled: true, errOu: "unknown flag -bogus"},
		{args: []string{"-prepare"}, handled: false},
		{args: []string{"/bin/true", "-h"}, handled: false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.args), func(t *testing.T) {
			var out, errOut bytes.Buffer
			code, handled := hostFlag(tt.args, &out, &errOut)
			require.Equal(t, tt.handled, handled)
			require.Equal(t, tt.code, code)
			require.Contains(t, out.String(), tt.out)
			require.Contains(t, errOut.String(), tt.errOu)
			if tt.out == "" {
				require.Empty(t, out.String())
			}
		})
	}
}

func TestMatchesNothing(t *testing.T) {
	self := os.Args[0] // this test binary: its name ends in .test
	require.True(t, strings.HasSuffix(self, ".test"), self)
	for _, tt := range []struct {
		args []string
		want bool
	}{
		{[]string{self, "-test.run=^TestNoSuchTest$", "-test.v=test2json"}, true},
		{[]string{self, "-test.run=^TestHostsFile$"}, false},
		{[]string{self, "-test.run=Hosts"}, false},
		{[]string{self}, false},                                                // every test
		{[]string{self, "-test.run=^TestNoSuchTest$/sub"}, false},              // subtests: not checked
		{[]string{self, "-test.run=^TestNoSuchTest$", "-test.bench=."}, false}, // benchmarks asked for
		{[]string{self, "-test.run=^TestNoSuchTest$", "-test.bench="}, true},   // no benchmarks
		{[]string{"/bin/true", "-test.run=^TestNoSuchTest$"}, false},           // not a test binary
	} {
		require.Equal(t, tt.want, matchesNothing(tt.args), "%q", tt.args[1:])
	}
}

func TestCheckProgram(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "script.sh")
	require.NoError(t, os.WriteFile(script, []byte("#!/bin/sh\necho hi\n"), 0o755))
	plain := filepath.Join(dir, "plain")
	require.NoError(t, os.WriteFile(plain, []byte("x"), 0o644))
	for _, tt := range []struct {
		path string
		code int
		err  string
	}{
		{os.Args[0], 0, ""},
		{filepath.Join(dir, "missing"), 127, "no such file"},
		{dir, 126, "not an executable file"},
		{plain, 126, "not an executable file"},
		{script, 126, "not an ELF executable"},
	} {
		code, err := checkProgram(tt.path)
		require.Equal(t, tt.code, code, tt.path)
		if tt.err == "" {
			require.NoError(t, err)
		} else {
			require.ErrorContains(t, err, tt.err)
		}
	}
}
