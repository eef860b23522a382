#!/usr/bin/env bash
# Runs every benchmark side by side in one `go test -bench` run (in the
# QEMU guest when this kernel lacks SCTP) and writes docs/benchmarks.md,
# docs/benchmarks.svg (the chart) and docs/benchmarks.txt (the raw output)
# from it. Extra arguments go to `go test`; the default is -count=6.
# Needs network access to the Go module proxy once, for benchstat (skipped
# if it cannot be fetched).
set -euo pipefail
cd "$(dirname "$0")/.."
CGO_ENABLED=0 go build -o bin/vmexec ./cmd/vmexec
args=("$@")
if [[ ${#args[@]} -eq 0 ]]; then
	args=(-count=6)
fi
out=docs/benchmarks.txt
go test -exec "$PWD/bin/vmexec" -run '^$' -bench . -benchmem -timeout 90m "${args[@]}" . | tee "$out"

stat=$(mktemp)
trap 'rm -f "$stat"' EXIT
go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da "$out" >"$stat" 2>/dev/null || : >"$stat"

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
qemu=$(qemu-system-x86_64 --version 2>/dev/null | head -1 || echo "QEMU not installed")
env="host: $(uname -sr), $(nproc) CPUs ($cpu), shared with other work"
env+="; guest: ${SCTPDIAL_VM_CPUS:-2} vCPUs, ${SCTPDIAL_VM_MEMORY_MB:-2048} MiB, accelerator ${SCTPDIAL_VM_ACCEL:-tcg} ($qemu)"
env+="; $(go env GOVERSION), commit $(git rev-parse --short HEAD), go test ${args[*]}"
go run ./internal/benchreport -in "$out" -benchstat "$stat" -notes docs/benchmarks-notes.md \
	-env "$env" -md docs/benchmarks.md -svg docs/benchmarks.svg
echo "wrote docs/benchmarks.md, docs/benchmarks.svg, $out"
