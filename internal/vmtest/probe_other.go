//go:build !linux

package vmtest

import (
	"errors"
	"runtime"
)

// HostHasSCTP reports false: kernel SCTP is only used on Linux.
func HostHasSCTP() (bool, error) {
	return false, errors.New("vmtest: kernel SCTP is not supported on " + runtime.GOOS)
}
