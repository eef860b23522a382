//go:build !linux

package main

import (
	"context"
	"errors"
	"io"
)

// failoverDemo needs Linux network namespaces.
func failoverDemo(ctx context.Context, w io.Writer, o failoverFlags) error {
	return failed("building the namespaces", errors.ErrUnsupported)
}
