#!/usr/bin/env bash
# Checks that the core package keeps its dependency set small: net/http
# (and crypto/tls with it), metrics libraries and netlink belong in
# subpackages, and the whole set stays under a bound (77 packages on Linux
# when this was written). Run for Linux and for another GOOS, whose files
# differ.
set -euo pipefail
cd "$(dirname "$0")/.."
forbidden='^(net/http|crypto/tls|github\.com/prometheus|go\.opentelemetry\.io|github\.com/vishvananda)(/|$)'
limit=110
status=0
for goos in linux darwin; do
	deps=$(GOOS=$goos go list -deps .)
	n=$(wc -l <<<"$deps")
	if bad=$(grep -E "$forbidden" <<<"$deps"); then
		echo "checkdeps: the core package (GOOS=$goos) depends on:" $bad >&2
		status=1
	elif [ "$n" -gt "$limit" ]; then
		echo "checkdeps: the core package (GOOS=$goos) depends on $n packages, more than $limit" >&2
		status=1
	else
		echo "checkdeps: GOOS=$goos: $n packages, none of net/http, crypto/tls, prometheus, otel, netlink"
	fi
done
exit $status
