#!/usr/bin/env bash
# Runs each fuzz target for a bounded number of inputs (SCTPDIAL_FUZZTIME,
# default 40000x, a few seconds each here), natively: the targets are pure
# code (grammar, sockaddr, notification and control-message parsing) and
# need no SCTP. A count, not a duration: with a duration, Go 1.26's fuzz
# coordinator can fail a target with a bare "context deadline exceeded"
# as the time runs out on a loaded machine, with nothing found
# (golang/go#75804, fixed in Go 1.27). Seed corpora live in
# testdata/fuzz/<target>/ and also run as plain tests in every go test.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${SCTPDIAL_FUZZTIME:-40000x}
for target in FuzzParseMultiAddr FuzzDialRejected FuzzSockaddrs FuzzParseNotification FuzzParseRcvCmsgs; do
	go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" .
done
