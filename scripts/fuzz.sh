#!/usr/bin/env bash
# Runs each fuzz target for a bounded time (SCTPDIAL_FUZZTIME, default 5s),
# natively: the targets are pure code (grammar, sockaddr, notification and
# control-message parsing) and need no SCTP. Seed corpora live in
# testdata/fuzz/<target>/ and also run as plain tests in every go test.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${SCTPDIAL_FUZZTIME:-5s}
for target in FuzzParseMultiAddr FuzzDialRejected FuzzSockaddrs FuzzParseNotification FuzzParseRcvCmsgs; do
	go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" .
done
