#!/usr/bin/env bash
# Runs every test: unit tests and kernel-SCTP tests. Test binaries run
# through bin/vmexec: natively when this kernel has SCTP, otherwise in a
# QEMU guest (see docs/testing.md), with the race detector. Extra
# arguments go to `go test` (-v prints every test's output). Prints what
# go test prints without -v, then a summary with counts, durations and
# every skipped test's reason; the exit status is go test's.
set -euo pipefail
cd "$(dirname "$0")/.."
CGO_ENABLED=0 go build -o bin/vmexec ./cmd/vmexec
go build -o bin/testsum ./internal/testsum
# The runner's own tests boot guests, so they run on the host; they must not
# skip for lack of QEMU. Under a -run filter, packages without a matching
# test do not boot a guest (vmexec checks with -test.list).
host=(./internal/vmtest/ ./cmd/vmexec/)
(
	rc=0
	SCTPDIAL_REQUIRE_QEMU=1 go test -json -race -count=1 "$@" "${host[@]}" || rc=$?
	go test -json -exec "$PWD/bin/vmexec" -race -count=1 "$@" $(go list ./... | grep -v -e /internal/vmtest -e /cmd/vmexec) || rc=$?
	exit $rc
) | bin/testsum "$@"
