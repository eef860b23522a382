package sctpdial

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/ishidawataru/sctp"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// throughputSizes are the message sizes of the throughput benchmarks:
// signalling-sized, medium and bulk.
var throughputSizes = []int{1 << 10, 16 << 10, 64 << 10}

// contender opens one loopback connection of its kind and returns the
// dialing and the accepting end; both are closed when the benchmark ends.
type contender struct {
	name string
	open func(b *testing.B) (client, server io.ReadWriteCloser)
}

// throughputContenders are compared with every library's defaults: this
// package, raw read(2)/write(2) on the same kind of socket (blocking, with
// the options this package sets by default), ishidawataru/sctp and TCP
// through package net.
var throughputContenders = []contender{
	{"sctpdial", func(b *testing.B) (io.ReadWriteCloser, io.ReadWriteCloser) {
		return openSCTPDial(b, Dialer{InitMsg: peerInitMsg}, ListenConfig{InitMsg: peerInitMsg})
	}},
	{"raw", openRaw},
	{"ishidawataru", openIshidawataru},
	{"net-tcp", openTCP},
}

// BenchmarkThroughput sends messages one way over one association, the
// receiver reading as fast as it can: MB/s is the metric.
func BenchmarkThroughput(b *testing.B) {
	requireSCTP(b)
	for _, size := range throughputSizes {
		for _, ct := range throughputContenders {
			b.Run(fmt.Sprintf("%dKiB/%s", size>>10, ct.name), func(b *testing.B) {
				c, s := ct.open(b)
				oneWay(b, c, s, size)
			})
		}
	}
}

// BenchmarkRequestResponse sends a message and waits for an echo of the
// same size, one at a time.
func BenchmarkRequestResponse(b *testing.B) {
	requireSCTP(b)
	for _, size := range throughputSizes {
		for _, ct := range throughputContenders {
			b.Run(fmt.Sprintf("%dKiB/%s", size>>10, ct.name), func(b *testing.B) {
				c, s := ct.open(b)
				requestResponse(b, c, s, size)
			})
		}
	}
}

func oneWay(b *testing.B, c, s io.ReadWriteCloser, size int) {
	msg := make([]byte, size)
	want := int64(b.N) * int64(size)
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, 64<<10)
		var got int64
		for got < want {
			n, err := s.Read(buf)
			got += int64(n)
			if err != nil {
				done <- fmt.Errorf("read after %d of %d bytes: %w", got, want, err)
				return
			}
		}
		done <- nil
	}()
	b.SetBytes(int64(size))
	before := sctpCounters(b)
	b.ResetTimer()
	for range b.N {
		if _, err := c.Write(msg); err != nil {
			b.Fatal(err)
		}
	}
	require.NoError(b, <-done)
	b.StopTimer()
	reportStalls(b, before)
}

// stallCounters are the kernel's SCTP counters (/proc/net/sctp/snmp) that
// show why a transfer stalls: retransmission timeouts, delayed-SACK timer
// expiries, and DATA chunks the receiver dropped (its receive buffer's
// memory full while the window was still open).
var stallCounters = []string{"SctpT3RtxExpireds", "SctpDelaySackExpireds", "SctpInDataChunkDiscards"}

// sctpCounters reads stallCounters.
func sctpCounters(b *testing.B) map[string]int64 {
	text, err := os.ReadFile("/proc/net/sctp/snmp")
	require.NoError(b, err)
	m := map[string]int64{}
	for _, line := range strings.Split(string(text), "\n") {
		if f := strings.Fields(line); len(f) == 2 && slices.Contains(stallCounters, f[0]) {
			m[f[0]], _ = strconv.ParseInt(f[1], 10, 64)
		}
	}
	return m
}

// reportStalls reports how much each of stallCounters grew since before,
// per 1,000 messages (the whole run counted, whichever association).
func reportStalls(b *testing.B, before map[string]int64) {
	after := sctpCounters(b)
	for _, name := range stallCounters {
		b.ReportMetric(float64(after[name]-before[name])*1000/float64(b.N), strings.TrimPrefix(name, "Sctp")+"/kmsg")
	}
}

func requestResponse(b *testing.B, c, s io.ReadWriteCloser, size int) {
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, size)
		for range b.N {
			if _, err := io.ReadFull(s, buf); err != nil {
				done <- err
				return
			}
			if _, err := s.Write(buf); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	msg := make([]byte, size)
	buf := make([]byte, size)
	b.SetBytes(int64(size))
	before := sctpCounters(b)
	b.ResetTimer()
	for range b.N {
		if _, err := c.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
	}
	require.NoError(b, <-done)
	b.StopTimer()
	reportStalls(b, before)
}

// openSCTPDial connects a Dialer to a Listener of this package.
func openSCTPDial(b *testing.B, d Dialer, lc ListenConfig) (io.ReadWriteCloser, io.ReadWriteCloser) {
	ln, err := lc.ListenSCTP(context.Background(), "sctp", "127.0.0.1:0")
	require.NoError(b, err)
	defer ln.Close()
	c, err := d.DialSCTP(context.Background(), "sctp", ln.Addr().String())
	require.NoError(b, err)
	b.Cleanup(func() { c.Close() })
	s, err := ln.AcceptSCTP()
	require.NoError(b, err)
	b.Cleanup(func() { s.Close() })
	return c, s
}

func openTCP(b *testing.B) (io.ReadWriteCloser, io.ReadWriteCloser) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(b, err)
	b.Cleanup(func() { c.Close() })
	s, err := ln.Accept()
	require.NoError(b, err)
	b.Cleanup(func() { s.Close() })
	return c, s
}

func openIshidawataru(b *testing.B) (io.ReadWriteCloser, io.ReadWriteCloser) {
	la := &sctp.SCTPAddr{IPAddrs: []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1)}}}
	ln, err := sctp.ListenSCTPExt("sctp", la, peerInitMsg)
	require.NoError(b, err)
	defer ln.Close()
	la.Port = ln.Addr().(*sctp.SCTPAddr).Port
	var c *sctp.SCTPConn
	// Its blocking connect can fail with EISCONN or EALREADY after the
	// runtime's preemption signal (docs/benchmarks.md): try again.
	for range 5 {
		if c, err = sctp.DialSCTPExt("sctp", nil, la, peerInitMsg); err == nil {
			break
		}
	}
	require.NoError(b, err)
	b.Cleanup(func() { c.Close() })
	s, err := ln.Accept()
	require.NoError(b, err)
	b.Cleanup(func() { s.Close() })
	return c, s
}

// rawFD is a blocking SCTP socket read and written with bare read(2) and
// write(2): the floor for this package's Read and Write.
type rawFD int

func (f rawFD) Read(b []byte) (int, error) {
	for {
		n, err := unix.Read(int(f), b)
		if err == unix.EINTR {
			continue
		}
		if n == 0 && err == nil {
			return 0, io.EOF
		}
		return max(n, 0), err
	}
}

func (f rawFD) Write(b []byte) (int, error) {
	for {
		n, err := unix.Write(int(f), b)
		if err == unix.EINTR {
			continue
		}
		return max(n, 0), err
	}
}

func (f rawFD) Close() error { return unix.Close(int(f)) }

// openRaw connects two raw sockets with the options this package's
// Dialer and ListenConfig set by default (endpointOptions).
func openRaw(b *testing.B) (io.ReadWriteCloser, io.ReadWriteCloser) {
	opts := endpointOptions{initMsg: peerInitMsg}
	lfd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, unix.IPPROTO_SCTP)
	require.NoError(b, err)
	defer unix.Close(lfd)
	require.NoError(b, opts.apply(lfd))
	require.NoError(b, unix.Bind(lfd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	require.NoError(b, unix.Listen(lfd, 16))
	port := int(sockname(lfd).Port())

	cfd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_SCTP)
	require.NoError(b, err)
	b.Cleanup(func() { unix.Close(cfd) })
	require.NoError(b, opts.apply(cfd))
	addrs, err := packSockaddrs([]netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1})}, port)
	require.NoError(b, err)
	if _, err := connectx(cfd, addrs); err != nil && err != unix.EINPROGRESS {
		b.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); !isEstablished(cfd); {
		if time.Now().After(deadline) {
			b.Fatal("raw association not up")
		}
		time.Sleep(time.Millisecond)
	}
	require.NoError(b, unix.SetNonblock(cfd, false))
	var peer unix.RawSockaddrAny
	n := uint32(unix.SizeofSockaddrAny)
	sfd, _, e := unix.Syscall6(unix.SYS_ACCEPT4, uintptr(lfd), uintptr(unsafe.Pointer(&peer)), uintptr(unsafe.Pointer(&n)), unix.SOCK_CLOEXEC, 0, 0)
	if e != 0 {
		b.Fatal(e)
	}
	b.Cleanup(func() { unix.Close(int(sfd)) })
	return rawFD(cfd), rawFD(int(sfd))
}
