#!/usr/bin/env bash
# Runs the benchmarks side by side in one run (in the guest when this
# kernel lacks SCTP). Extra arguments go to `go test`, e.g. -count=5.
set -euo pipefail
cd "$(dirname "$0")/.."
CGO_ENABLED=0 go build -o bin/vmexec ./cmd/vmexec
exec go test -exec "$PWD/bin/vmexec" -run '^$' -bench . -benchmem "$@" .
