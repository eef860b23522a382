package vmtest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// The program's standard input reaches the guest over a virtio serial
// port: QEMU connects the port's chardev to a Unix socket the host listens
// on, and the host copies its stdin into the connection. Unlike the serial
// console, virtio ports have flow control (QEMU reads the socket only while
// the guest has buffers) and carry the end of input: when the host closes
// the connection, read(2) on the port returns 0 once the guest has read
// everything (host_connected in drivers/char/virtio_console.c).
const stdinPortName = "vmexec.stdin"

// stdinModules drive the port; Debian builds them as modules. Load order
// follows their depends= lines.
var stdinModules = []string{
	"drivers/virtio/virtio.ko",
	"drivers/virtio/virtio_ring.ko",
	"drivers/virtio/virtio_pci_legacy_dev.ko",
	"drivers/virtio/virtio_pci_modern_dev.ko",
	"drivers/virtio/virtio_pci.ko",
	"drivers/char/virtio_console.ko",
}

// stdinFeeder listens on a Unix socket for QEMU's chardev and copies r
// into the one connection QEMU makes.
type stdinFeeder struct {
	path string
	ln   *os.File // set once

	mu     sync.Mutex
	closed bool
	conn   *os.File
	done   chan struct{}
}

// newStdinFeeder listens on path and starts copying r into the first
// connection. QEMU must connect as a client (server=off), so that the port
// is connected before the guest boots and a read in the guest never sees
// an end of input that came only from a late connection.
func newStdinFeeder(path string, r io.Reader) (*stdinFeeder, error) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("bind", err)
	}
	if err := unix.Listen(fd, 1); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("listen", err)
	}
	f := &stdinFeeder{path: path, ln: os.NewFile(uintptr(fd), path), done: make(chan struct{})}
	go f.feed(r)
	return f, nil
}

func (f *stdinFeeder) feed(r io.Reader) {
	defer close(f.done)
	conn, err := f.accept()
	if err != nil {
		return
	}
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		conn.Close()
		return
	}
	f.conn = conn
	f.mu.Unlock()
	io.Copy(conn, r)
	// Half-close only: a full close raises POLLHUP on QEMU's end while
	// data is still queued (unix_poll in net/unix/af_unix.c), and QEMU
	// drops the connection without reading the rest. After shutdown(2)
	// QEMU reads everything, then read returns 0 and it reports the end
	// of input to the guest. Close closes the connection.
	if rc, err := conn.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { unix.Shutdown(int(fd), unix.SHUT_WR) })
	}
}

func (f *stdinFeeder) accept() (*os.File, error) {
	rc, err := f.ln.SyscallConn()
	if err != nil {
		return nil, err
	}
	var nfd int
	var aerr error
	err = rc.Read(func(fd uintptr) bool {
		nfd, _, aerr = unix.Accept4(int(fd), unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		return !errors.Is(aerr, unix.EAGAIN)
	})
	if err != nil {
		return nil, err
	}
	if aerr != nil {
		return nil, aerr
	}
	return os.NewFile(uintptr(nfd), "stdin-conn"), nil
}

// Close stops the copy (a read from a reader that never ends is left
// behind: the caller owns the reader), closes the connection and removes
// the socket.
func (f *stdinFeeder) Close() {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return
	}
	f.closed = true
	conn := f.conn
	f.conn = nil
	f.mu.Unlock()
	if conn != nil {
		conn.Close()
	}
	f.ln.Close()
	os.Remove(f.path)
	// The copy ends once the connection is gone, unless it waits in a
	// read from r; do not wait for that.
	select {
	case <-f.done:
	case <-time.After(time.Second):
	}
}

// qemuArgs attach the port to the socket.
func (f *stdinFeeder) qemuArgs() []string {
	return []string{
		"-device", "virtio-serial-pci,id=vmexec-ser",
		"-chardev", "socket,id=vmexec-stdin,server=off,path=" + f.path,
		"-device", "virtserialport,bus=vmexec-ser.0,chardev=vmexec-stdin,name=" + stdinPortName,
	}
}

// isDevNull reports whether f is /dev/null, as a program's stdin is under
// go test: then the guest needs no port.
func isDevNull(f *os.File) bool {
	var st, null unix.Stat_t
	if unix.Fstat(int(f.Fd()), &st) != nil || unix.Stat(os.DevNull, &null) != nil {
		return false
	}
	return st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == null.Rdev
}

// openStdinPort finds the guest's end of the port. Ports appear shortly
// after the driver loads (the device announces them over its control
// queue), so it waits for the name to show up in sysfs.
func openStdinPort(timeout time.Duration) (*os.File, error) {
	deadline := time.Now().Add(timeout)
	for {
		names, _ := filepath.Glob("/sys/class/virtio-ports/*/name")
		for _, n := range names {
			b, err := os.ReadFile(n)
			if err != nil || strings.TrimSpace(string(b)) != stdinPortName {
				continue
			}
			dev := "/dev/" + filepath.Base(filepath.Dir(n))
			if f, err := os.Open(dev); err == nil {
				return f, nil
			}
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("virtio port %s did not appear within %v", stdinPortName, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
