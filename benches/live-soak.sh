#!/usr/bin/env bash
# live-soak.sh [PACKETS] [CARGO PROFILE] -- the soak test (tests/soak.rs) at
# a larger size: a synthetic packet stream (4000 conversations at once, new
# addresses and ports for every new one, so distinct flows never stop
# growing) replayed at full speed through the live pipeline (`argus -r -
# -T 1e12 -P port`: source thread, output thread, a file and two remote
# clients, one filtered), argus's resident memory sampled every 100 ms.
#
# It fails when a record is lost (the file and the clients are compared
# with a plain `argus -r -` of the same stream) or when the peak memory
# after the warm-up (the first 40% of the run) exceeds the warm-up's peak by
# more than 10% + 4 MiB; it prints the throughput, the record counts and
# the memory profile.
#
# PACKETS defaults to 200 million (about 3 minutes of the dev profile on an
# idle 2-core machine, plus the plain run); CI runs the same test with 30
# million. No data is written but the live file (about 7 bytes per packet).
# Run as root (the test binary also holds the live capture tests).
set -euo pipefail
cd "$(dirname "$0")/.."
PACKETS=${1:-200000000}
PROFILE=${2:-dev}
ARGUS_SOAK_PACKETS=$PACKETS exec cargo test --profile "$PROFILE" --test integration \
    soak::soak_a_long_stream -- --nocapture --test-threads 1
