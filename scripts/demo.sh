#!/usr/bin/env bash
# Runs the demo: natively where the kernel has SCTP, else in the QEMU guest.
# "./scripts/demo.sh failover [flags]" runs the live failover demo instead
# (two network namespaces, a path cut and restored; needs root natively).
set -euo pipefail
cd "$(dirname "$0")/.."
CGO_ENABLED=0 go build -o bin/vmexec ./cmd/vmexec
if [[ "${1:-}" == failover ]]; then
	shift
	exec go run -exec "$PWD/bin/vmexec" ./cmd/sctpdial failover "$@"
fi
exec go run -exec "$PWD/bin/vmexec" ./cmd/sctpdial demo "$@"
