#!/usr/bin/env bash
# Runs the demo: natively where the kernel has SCTP, else in the QEMU guest.
set -euo pipefail
cd "$(dirname "$0")/.."
CGO_ENABLED=0 go build -o bin/vmexec ./cmd/vmexec
exec go run -exec "$PWD/bin/vmexec" ./cmd/sctpdial demo "$@"
