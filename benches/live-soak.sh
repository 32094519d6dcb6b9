#!/usr/bin/env bash
# live-soak.sh [DATA_DIR] [FLOWS] -- a long generated capture replayed at
# full speed through the live pipeline (`argus -r soak.pcap -T 1e9 -P port`:
# source thread, output thread, a file and a remote client), with the
# resident memory of argus sampled every half second. Checks that nothing is
# lost (the file and the remote client hold the same flow records as a
# plain `argus -r` of the capture) and prints the memory profile; fails when
# the last quarter's peak exceeds the first quarter's by more than 20%.
# FLOWS defaults to 200000 (about 4 M packets, a few minutes in a debug
# build); CI-sized runs use fewer.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-target/bench-data}
FLOWS=${2:-200000}
BIN=${ARGUS_TOOL:-target/release/argus-tool}
PORT=${PORT:-17990}
mkdir -p "$DATA"
PCAP="$DATA/soak-$FLOWS.pcap"
[ -s "$PCAP" ] || python3 benches/gen_pcap.py "$PCAP" --flows "$FLOWS" --duration 120
work=$(mktemp -d); trap 'kill $apid $cpid 2>/dev/null || true; rm -rf "$work"' EXIT
"$BIN" argus -X -r "$PCAP" -w "$work/plain.argus"
"$BIN" argus -X -w "$work/live.argus" -r "$PCAP" -T 1000000000 -P "$PORT" -B 127.0.0.1 -M 1 &
apid=$!
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.05; done
"$BIN" ra -X -S "127.0.0.1:$PORT" -w "$work/client.argus" & cpid=$!
: > "$work/rss"
while kill -0 $apid 2>/dev/null; do
    awk '/VmRSS/ {print $2}' /proc/$apid/status 2>/dev/null >> "$work/rss" || true
    sleep 0.5
done
wait $apid; wait $cpid || true
count() { "$BIN" ra -X -r "$1" -n -s seq 2>/dev/null | tail -n +2 | wc -l; }
p=$(count "$work/plain.argus"); l=$(count "$work/live.argus"); c=$(count "$work/client.argus")
echo "flow records: plain -r $p, live file $l, remote client $c"
n=$(wc -l < "$work/rss")
echo "RSS samples (KiB, every 0.5 s): $n; first $(head -1 "$work/rss"), max $(sort -n "$work/rss" | tail -1), last $(tail -1 "$work/rss")"
[ "$p" = "$l" ] && [ "$p" = "$c" ] || { echo "records lost"; exit 1; }
if [ "$n" -ge 8 ]; then
    q=$((n / 4))
    a=$(head -n "$q" "$work/rss" | sort -n | tail -1); b=$(tail -n "$q" "$work/rss" | sort -n | tail -1)
    echo "peak RSS first quarter $a KiB, last quarter $b KiB"
    [ "$b" -le $((a + a / 5)) ] || { echo "memory grows"; exit 1; }
fi
