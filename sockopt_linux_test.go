package sctpdial

import "golang.org/x/sys/unix"

// testOpt names a socket option by level and name, so that tests compiled
// for every GOOS can refer to Linux's options.
type testOpt struct{ level, name int }

var (
	optIPv6Only    = testOpt{unix.IPPROTO_IPV6, unix.IPV6_V6ONLY}
	optAcceptConn  = testOpt{unix.SOL_SOCKET, unix.SO_ACCEPTCONN}
	optSCTPNoDelay = testOpt{solSCTP, sctpNoDelay}
)

// testSockoptInt reads an integer socket option of fd.
func testSockoptInt(fd uintptr, o testOpt) (int, error) {
	return unix.GetsockoptInt(int(fd), o.level, o.name)
}

// testGetsockopt reads a struct-valued socket option of fd into buf.
func testGetsockopt(fd uintptr, level, opt int, buf []byte) error {
	_, err := getsockopt(int(fd), level, opt, buf)
	return err
}
