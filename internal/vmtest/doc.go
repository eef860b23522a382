// Package vmtest runs Go test binaries (and other programs) where kernel SCTP
// is available: natively when the host kernel opens an SCTP socket, otherwise
// inside a throw-away QEMU guest booted from a stock Debian kernel.
//
// The guest is built per run from parts cached in the user cache directory:
// the kernel image and its modules (sctp, veth, dummy and their
// dependencies), a static busybox, the program itself (plus its shared
// libraries when it is dynamically linked, as -race binaries are) and the
// package's testdata directory. The program's output is streamed live over
// the serial console and its exit status comes back as the runner's own.
//
// The same executable is the guest's init: when it finds itself running as
// PID 1 it mounts the pseudo file systems, loads the modules, lays out the
// network fixtures described in fixtures.go, runs the program and powers off.
package vmtest
