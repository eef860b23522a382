package vmtest

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The test binary doubles as the guest's init, as cmd/vmexec does.
func TestMain(m *testing.M) {
	if os.Getpid() == 1 {
		guestInit()
	}
	os.Exit(m.Run())
}

func TestReadConsole(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		out     string
		code    int
		wantErr string
	}{
		{name: "exit status and CRLF", in: "SeaBIOS\r\nnoise\r\n" + markBegin + "\r\nline 1\r\nline 2\r\n\r\n" + markExit + "3\r\n", out: "line 1\nline 2\n", code: 3},
		{name: "blank lines kept", in: markBegin + "\na\n\n\nb\n\n" + markExit + "0\n", out: "a\n\n\nb\n", code: 0},
		{name: "partial last line", in: markBegin + "\nno newline\n" + markExit + "1\n", out: "no newline\n", code: 1},
		{name: "never began", in: "kernel panic\n", wantErr: "never started"},
		{name: "no exit status", in: markBegin + "\nhalf\n", out: "half\n", wantErr: "without reporting"},
		{name: "bad exit line", in: markBegin + "\n" + markExit + "x\n", wantErr: "bad exit line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			code, err := readConsole(strings.NewReader(tt.in), &out, func(string) bool { return false }, nil)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.code, code)
			require.Equal(t, tt.out, out.String())
		})
	}
}

func TestReadConsoleFile(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "back.bin")
	denied := filepath.Join(t.TempDir(), "denied")
	in := markBegin + "\nout\n" + markFile + dst + "\naGVs\nbG8=\n" + markFileEnd + "\n" +
		markFile + denied + "\naGVs\n" + markFileEnd + "\n" + markExit + "0\n"
	var out bytes.Buffer
	code, err := readConsole(strings.NewReader(in), &out, func(p string) bool { return p == dst }, nil)
	require.NoError(t, err)
	require.Equal(t, 0, code)
	require.Equal(t, "out\n", out.String())
	got, err := os.ReadFile(dst)
	require.NoError(t, err)
	require.Equal(t, "hello", string(got))
	require.NoFileExists(t, denied, "only the program's output files may be written")
}

// TestCPIO checks the archive with the system's cpio, as the kernel would
// read it.
func TestCPIO(t *testing.T) {
	if _, err := exec.LookPath("cpio"); err != nil {
		t.Skip("cpio not installed")
	}
	dir := t.TempDir()
	arc := filepath.Join(dir, "a.cpio")
	f, err := os.Create(arc)
	require.NoError(t, err)
	c := newCPIOWriter(f)
	c.file("/a/b/c.txt", 0o640, []byte("abc"))
	c.file("/a/odd", 0o755, []byte("12345"))
	c.symlink("/bin/sh", "busybox")
	c.mkdirAll("/a/b") // already there: must not be written twice
	require.NoError(t, c.close())
	require.NoError(t, f.Close())

	out, err := exec.Command("cpio", "-itv", "-F", arc).CombinedOutput()
	require.NoError(t, err, "%s", out)
	listing := string(out)
	for _, want := range []string{"a/b/c.txt", "a/odd", "bin/sh -> busybox", "drwxr-xr-x"} {
		require.Contains(t, listing, want)
	}
	require.Equal(t, 1, strings.Count(listing, " a/b\n"), listing)

	x := filepath.Join(dir, "x")
	require.NoError(t, os.Mkdir(x, 0o755))
	cmd := exec.Command("cpio", "-idm", "-F", arc)
	cmd.Dir = x
	out, err = cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	got, err := os.ReadFile(filepath.Join(x, "a/odd"))
	require.NoError(t, err)
	require.Equal(t, "12345", string(got))
}

func TestHostsFile(t *testing.T) {
	h := hostsFile()
	for name, ips := range Hosts {
		for _, ip := range ips {
			require.Contains(t, h, ip+" "+name+"\n")
		}
	}
	// Order within a name is priority order for the dialer.
	require.Less(t, strings.Index(h, SilentIPv4+" "+HostSilentFirst), strings.Index(h, LocalIPv4A+" "+HostSilentFirst))
}

// guestMode selects what TestGuestProgram does when this binary runs as
// the program inside a guest.
const guestMode = "SCTPDIAL_VMTEST_MODE"

// TestGuestProgram is the program the boot tests run in the guest; in a
// normal run it does nothing.
func TestGuestProgram(t *testing.T) {
	switch os.Getenv(guestMode) {
	case "":
		return
	case "stdin":
		stdinProgram()
	case "hang":
		fmt.Println("hanging")
		select {}
	case "report":
		ok, err := HostHasSCTP()
		data, _ := os.ReadFile("testdata/hello.txt")
		js, _ := json.Marshal(map[string]any{
			"args": flag.Args(), "sctp": ok, "sctpErr": fmt.Sprint(err),
			"testdata": string(data), "guest": InGuest(), "require": SCTPRequired(),
		})
		fmt.Printf("REPORT %s\n", js)
		// A failing test, so the exit status is not 0, while the testing
		// package still writes its profiles.
		t.Error("deliberate failure")
	}
}

// requireQEMU skips boot tests where QEMU is missing, unless the test
// script says the guest must work (SCTPDIAL_REQUIRE_QEMU=1): then it fails.
func requireQEMU(t *testing.T) {
	t.Helper()
	if InGuest() {
		t.Skip("no nested guests")
	}
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		if os.Getenv("SCTPDIAL_REQUIRE_QEMU") == "1" {
			t.Fatalf("qemu-system-x86_64 is required: %v", err)
		}
		t.Skip("qemu-system-x86_64 not installed (apt-get install qemu-system-x86)")
	}
}

func TestBootReportsArgsTestdataAndExitStatus(t *testing.T) {
	requireQEMU(t)
	t.Setenv(guestMode, "report")
	prof := filepath.Join(t.TempDir(), "sub", "cpu.prof")
	args := []string{os.Args[0], "-test.run=^TestGuestProgram$", "-test.cpuprofile=" + prof, "a b", `c"d`, "é\tz", ""}
	var out bytes.Buffer
	code, err := Run(context.Background(), args, Options{Stdout: &out, Timeout: 3 * time.Minute})
	require.NoError(t, err, "console: %s", out.String())
	require.Equal(t, 1, code, "console: %s", out.String())
	require.Contains(t, out.String(), "deliberate failure")

	_, js, ok := strings.Cut(out.String(), "REPORT ")
	require.True(t, ok, "console: %s", out.String())
	js, _, _ = strings.Cut(js, "\n")
	var rep struct {
		Args     []string
		SCTP     bool
		SCTPErr  string
		Testdata string
		Guest    bool
		Require  bool
	}
	require.NoError(t, json.Unmarshal([]byte(js), &rep))
	require.Equal(t, []string{"a b", `c"d`, "é\tz", ""}, rep.Args)
	require.True(t, rep.SCTP, "guest kernel must open SCTP sockets: %s", rep.SCTPErr)
	require.Equal(t, "hello from testdata\n", rep.Testdata)
	require.True(t, rep.Guest)
	require.True(t, rep.Require)

	fi, err := os.Stat(prof)
	require.NoError(t, err, "the CPU profile written in the guest must come back")
	require.NotZero(t, fi.Size())
}

func TestBootHangIsKilled(t *testing.T) {
	requireQEMU(t)
	t.Setenv(guestMode, "hang")
	var out bytes.Buffer
	start := time.Now()
	timeout := 45 * time.Second // boot included: a loaded host can take 20 s
	code, err := Run(context.Background(), []string{os.Args[0], "-test.run=^TestGuestProgram$", "-test.v"}, Options{Stdout: &out, Timeout: timeout})
	require.ErrorContains(t, err, "killed")
	require.NotEqual(t, 0, code)
	require.Contains(t, out.String(), "hanging")
	require.Less(t, time.Since(start), timeout+15*time.Second)
}

// TestBootTimeoutBootsAgain: a guest that has not started the program
// within BootTimeout (here shorter than any boot) is killed and booted
// once more, then reported.
func TestBootTimeoutBootsAgain(t *testing.T) {
	requireQEMU(t)
	var out, diag bytes.Buffer
	start := time.Now()
	code, err := Run(context.Background(), []string{os.Args[0], "-test.run=^TestGuestProgram$"},
		Options{Stdout: &out, Stderr: &diag, BootTimeout: 500 * time.Millisecond, Timeout: time.Minute})
	require.ErrorContains(t, err, "did not start the program within 500ms")
	require.NotEqual(t, 0, code)
	require.Equal(t, 1, strings.Count(diag.String(), "booting again"), diag.String())
	require.Less(t, time.Since(start), 30*time.Second)
}

func TestOptionsTimeoutFromTestFlag(t *testing.T) {
	t.Setenv("SCTPDIAL_VM_TIMEOUT", "")
	var o Options
	o.fill([]string{"-test.v", "-test.timeout=3m0s"})
	require.Equal(t, 5*time.Minute, o.Timeout)
	require.Equal(t, "tcg", o.Accel)
	require.Equal(t, 2048, o.MemoryMB)
	t.Setenv("SCTPDIAL_VM_MEMORY_MB", strconv.Itoa(512))
	o = Options{}
	o.fill(nil)
	require.Equal(t, 512, o.MemoryMB)
	require.Equal(t, 20*time.Minute, o.Timeout)
}
