#!/usr/bin/env bash
# Runs every test: unit tests and kernel-SCTP tests. Test binaries run
# through bin/vmexec: natively when this kernel has SCTP, otherwise in a
# QEMU guest (see docs/testing.md), with the race detector. Extra
# arguments go to `go test`.
set -euo pipefail
cd "$(dirname "$0")/.."
CGO_ENABLED=0 go build -o bin/vmexec ./cmd/vmexec
# The runner's own tests boot guests, so they run on the host; they must not
# skip for lack of QEMU. A -run filter is meant for the library's tests.
if [[ " $* " != *" -run"* ]]; then
	SCTPDIAL_REQUIRE_QEMU=1 go test -race -count=1 -v "$@" ./internal/vmtest/
fi
exec go test -exec "$PWD/bin/vmexec" -race -count=1 -v "$@" $(go list ./... | grep -v /internal/vmtest)
