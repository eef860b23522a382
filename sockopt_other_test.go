//go:build !linux

package sctpdial

import "errors"

// testOpt names a socket option by level and name; elsewhere than on Linux
// the kernel tests that read options skip before they get here.
type testOpt struct{ level, name int }

var optIPv6Only, optAcceptConn, optSCTPNoDelay testOpt

func testSockoptInt(uintptr, testOpt) (int, error) { return 0, errors.ErrUnsupported }

func testGetsockopt(uintptr, int, int, []byte) error { return errors.ErrUnsupported }
