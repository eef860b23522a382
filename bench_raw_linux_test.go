package sctpdial

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"testing"
	"unsafe"

	"github.com/ishidawataru/sctp"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// rawAcceptor is a loopback listener whose accept loop uses raw syscalls
// and allocates nothing, so that a benchmark's allocs/op count only the
// dialing side. It accepts every association (or TCP connection) and
// closes it at once.
type rawAcceptor struct {
	fd   int
	port int
	wg   sync.WaitGroup
	mu   sync.Mutex
	stop bool
}

// startRawAcceptor listens on 127.0.0.1 with protocol proto
// (IPPROTO_SCTP or IPPROTO_TCP) until the benchmark ends.
func startRawAcceptor(b testing.TB, proto int) *rawAcceptor {
	b.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, proto)
	require.NoError(b, err)
	if proto == unix.IPPROTO_SCTP {
		require.NoError(b, setInitMsg(fd, peerInitMsg))
	}
	require.NoError(b, unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	require.NoError(b, unix.Listen(fd, 4096))
	sa, err := unix.Getsockname(fd)
	require.NoError(b, err)
	a := &rawAcceptor{fd: fd, port: sa.(*unix.SockaddrInet4).Port}
	a.wg.Go(a.loop)
	b.Cleanup(func() {
		a.mu.Lock()
		a.stop = true
		a.mu.Unlock()
		a.wg.Wait()
		unix.Close(fd)
	})
	return a
}

func (a *rawAcceptor) loop() {
	pfd := [1]unix.PollFd{{Fd: int32(a.fd), Events: unix.POLLIN}}
	timeout := unix.Timespec{Nsec: 20e6}
	for {
		a.mu.Lock()
		stop := a.stop
		a.mu.Unlock()
		if stop {
			return
		}
		unix.Syscall6(unix.SYS_PPOLL, uintptr(unsafe.Pointer(&pfd[0])), 1,
			uintptr(unsafe.Pointer(&timeout)), 0, 0, 0)
		for {
			nfd, _, e := unix.Syscall6(unix.SYS_ACCEPT4, uintptr(a.fd), 0, 0, unix.SOCK_CLOEXEC, 0, 0)
			if e != 0 {
				break
			}
			unix.Syscall(unix.SYS_CLOSE, nfd, 0, 0)
		}
	}
}

// rawDial is the floor a dial is measured against: a blocking socket, the
// same SCTP_INITMSG as the other contenders, one sctp_connectx and close,
// all through x/sys. A blocking connectx interrupted by the runtime's
// preemption signal fails with EALREADY or EISCONN once the kernel restarts
// it (docs/benchmarks.md): such dials report false.
func rawDial(addrs []byte) (ok bool, err error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, unix.IPPROTO_SCTP)
	if err != nil {
		return false, err
	}
	defer unix.Close(fd)
	if err := setInitMsg(fd, peerInitMsg); err != nil {
		return false, err
	}
	_, err = connectx(fd, addrs)
	switch err {
	case nil:
		return true, nil
	case unix.EALREADY, unix.EISCONN, unix.EINTR:
		return false, nil
	}
	return false, err
}

// rawPending opens a non-blocking socket whose connectx to addr (a silent
// peer) is in progress.
func rawPending(b testing.TB, addr netip.Addr, port int) int {
	family := unix.AF_INET
	if addr.Is6() {
		family = unix.AF_INET6
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_SCTP)
	require.NoError(b, err)
	buf, err := packSockaddrs([]netip.Addr{addr}, port)
	require.NoError(b, err)
	if _, err := connectx(fd, buf); err != unix.EINPROGRESS {
		unix.Close(fd)
		b.Fatalf("connectx to a silent peer: %v, want EINPROGRESS", err)
	}
	return fd
}

// BenchmarkDial compares a full dial + close over loopback: this package,
// the floor (a blocking socket, sctp_connectx and close through x/sys),
// ishidawataru/sctp (a blocking connect) and TCP through net.Dialer as the
// reference Go users know. The listeners accept with raw syscalls and
// allocate nothing, so allocs/op are the dialing side's alone.
func BenchmarkDial(b *testing.B) {
	requireSCTP(b)
	sctpLn := startRawAcceptor(b, unix.IPPROTO_SCTP)
	tcpLn := startRawAcceptor(b, unix.IPPROTO_TCP)
	port := sctpLn.port
	addr := hostPortList(port, "127.0.0.1")
	raddr := &sctp.SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1)}}, Port: port}
	tcpAddr := hostPortList(tcpLn.port, "127.0.0.1")
	ctx := context.Background()

	b.Run("sctpdial", func(b *testing.B) {
		d := Dialer{InitMsg: peerInitMsg}
		b.ReportAllocs()
		for b.Loop() {
			c, err := d.DialContext(ctx, "sctp", addr)
			if err != nil {
				b.Fatal(err)
			}
			c.Close()
		}
	})
	b.Run("raw", func(b *testing.B) {
		addrs, err := packSockaddrs([]netip.Addr{netip.MustParseAddr("127.0.0.1")}, port)
		require.NoError(b, err)
		failed := 0
		b.ReportAllocs()
		for b.Loop() {
			ok, err := rawDial(addrs)
			if err != nil {
				b.Fatal(err)
			}
			if !ok {
				failed++
			}
		}
		b.ReportMetric(float64(failed)/float64(b.N), "failed/op")
	})
	b.Run("ishidawataru", func(b *testing.B) {
		// Its blocking connectx is interrupted by the runtime's preemption
		// signal now and then and, restarted by the kernel, fails with
		// EISCONN or EALREADY (see docs/benchmarks.md): count those
		// failures instead of stopping.
		failed := 0
		b.ReportAllocs()
		for b.Loop() {
			c, err := sctp.DialSCTPExt("sctp", nil, raddr, peerInitMsg)
			if err != nil {
				failed++
				continue
			}
			c.Close()
		}
		b.ReportMetric(float64(failed)/float64(b.N), "failed/op")
	})
	b.Run("net-tcp", func(b *testing.B) {
		var d net.Dialer
		b.ReportAllocs()
		for b.Loop() {
			c, err := d.DialContext(ctx, "tcp", tcpAddr)
			if err != nil {
				b.Fatal(err)
			}
			c.Close()
		}
	})
}
