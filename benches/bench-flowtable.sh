#!/usr/bin/env bash
# Memory of argus -r on a capture of N one-packet flows (default 2 000 000),
# with the flow table limited to LIMIT flows (default 100 000) and with the
# default limit: peak RSS stays bounded by the limit, not by the capture.
# usage: benches/bench-flowtable.sh [N] [LIMIT] [DATA_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000000}; limit=${2:-100000}; data=${3:-target/bench-data}
ours=${OURS:-target/release/argus-tool}
mkdir -p "$data"; pcap="$data/one-packet-flows-$n.pcap"
if [ ! -s "$pcap" ]; then
  python3 - "$pcap" "$n" <<'PY'
import struct, sys
path, n = sys.argv[1], int(sys.argv[2])
eth = bytes([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0])
with open(path, 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(n):
        ip = bytes([0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 10, (i >> 16) & 255, (i >> 8) & 255, i & 255, 10, 255, 0, 1])
        pkt = eth + ip + struct.pack('>HHHH', 1000 + i % 5000, 53, 8, 0)
        ts = 1_700_000_000_000_000 + i * 2
        f.write(struct.pack('<IIII', ts // 1_000_000, ts % 1_000_000, len(pkt), 60) + pkt)
PY
fi
conf=$(mktemp); trap 'rm -f "$conf"' EXIT
printf 'ARGUS_FLOW_TABLE_MAX=%s\n' "$limit" > "$conf"
for which in "$limit" default; do
  args=(); [ "$which" = default ] || args=(-F "$conf")
  /usr/bin/time -f "%M" -o "$conf.t" "$ours" argus -X "${args[@]}" -v -r "$pcap" -w /dev/null
  echo "flow table limit $which: peak RSS $(cat "$conf.t") kB"
done
rm -f "$conf.t"
