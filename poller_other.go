//go:build !linux

package sctpdial

import (
	"context"
	"errors"
	"fmt"
	"runtime"
)

// errNoSCTP is what every SCTP operation (dial, listen, Conn methods)
// reports off Linux; errors.Is(err, errors.ErrUnsupported) holds.
var errNoSCTP = fmt.Errorf("sctpdial: SCTP is not supported on %s: %w", runtime.GOOS, errors.ErrUnsupported)

func (d *Dialer) dialSCTP(ctx context.Context, p *dialPlan) (*Conn, error) {
	return nil, errNoSCTP
}
