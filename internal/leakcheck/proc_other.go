//go:build !linux

package leakcheck

import (
	"fmt"
	"strings"
)

// Elsewhere than on Linux there is no /proc: only goroutines are checked.
func openFDs() map[int]string { return nil }

func threads() int { return -1 }

func describeFD(b *strings.Builder, fd int) { fmt.Fprintf(b, "  fd %d\n", fd) }
