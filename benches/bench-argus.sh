#!/usr/bin/env bash
# argus -r against Debian's argus 3.0.8.2 on one large generated capture:
# CPU time (user+sys), peak memory, and whether the flow records are equal.
#
# usage: benches/bench-argus.sh [DATA_DIR] [RUNS]
#   DATA_DIR  where big.pcap lives (default target/bench-data); it is
#             generated there when absent with benches/gen_pcap.py
#             (--flows 200000 --seed 1: about 4.3 M packets, 3.2 GB).
#   RUNS      runs per tool, the best CPU time counts (default 3).
# Needs: Debian's argus (apt-get install argus-server), python3, GNU time
# (/usr/bin/time), and a release build (make build).
# Exit status: 0 when ours needs at most a third of argus's CPU time, no
# more peak memory, and writes the same flow records; 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-target/bench-data}
runs=${2:-3}
ours=${OURS:-target/release/argus-tool}
mkdir -p "$data"
pcap="$data/big.pcap"
if [ ! -s "$pcap" ]; then
  echo "generating $pcap (about a minute)..."
  python3 benches/gen_pcap.py "$pcap" --flows 200000 --duration 300 --seed 1
fi
[ -x "$ours" ] || { echo "build first: make build" >&2; exit 1; }
command -v argus >/dev/null || { echo "Debian's argus is needed: apt-get install argus-server" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# best_of CMD...: prints "cpu_seconds peak_kb" of the run with least CPU.
best_of() {
  local best="" line
  for _ in $(seq "$runs"); do
    rm -f "$tmp/out.argus"
    /usr/bin/time -f "%U %S %M" -o "$tmp/time" "$@" -w "$tmp/out.argus" >/dev/null 2>"$tmp/err" || true
    line=$(awk '{printf "%.2f %d\n", $1 + $2, $3}' "$tmp/time")
    if [ -z "$best" ] || awk -v a="$line" -v b="$best" 'BEGIN{split(a,x," ");split(b,y," ");exit !(x[1]<y[1])}'; then
      best=$line
      cp "$tmp/out.argus" "$tmp/$(basename "$1").argus"
    fi
  done
  echo "$best"
}

packets=$(python3 - "$pcap" <<'PY'
import struct, sys
f = open(sys.argv[1], 'rb'); f.seek(24); n = 0
while True:
    h = f.read(16)
    if len(h) < 16: break
    f.seek(struct.unpack('<I', h[8:12])[0], 1); n += 1
print(n)
PY
)
read -r a_cpu a_mem < <(best_of argus -X -r "$pcap")
read -r o_cpu o_mem < <(best_of "$ours" argus -X -r "$pcap")

same=$(python3 - "$tmp/argus.argus" "$tmp/argus-tool.argus" <<'PY'
import sys
def fars(p):
    d = open(p, 'rb').read(); i = 0; out = []
    while i + 4 <= len(d):
        n = 128 if d[i] & 0xf0 == 0x80 else int.from_bytes(d[i+2:i+4], 'big') * 4
        if n == 0: break
        if d[i] & 0xf0 != 0x80: out.append(d[i:i+n])
        i += n
    return out
a, b = fars(sys.argv[1]), fars(sys.argv[2])
print("yes" if a == b else "NO (%d vs %d records, %d differ)" % (len(a), len(b), sum(x != y for x, y in zip(a, b))))
PY
)
ratio=$(awk -v a="$a_cpu" -v o="$o_cpu" 'BEGIN{printf "%.2f", a / o}')
mem=$(awk -v a="$a_mem" -v o="$o_mem" 'BEGIN{printf "%.2f", o / a}')
echo "capture:        $pcap ($packets packets)"
echo "Debian argus:   ${a_cpu} s CPU, ${a_mem} kB peak RSS"
echo "argus-tool:     ${o_cpu} s CPU, ${o_mem} kB peak RSS"
echo "CPU ratio:      ${ratio}x less (target >= 3)"
echo "memory ratio:   ${mem} of argus's peak (target <= 1)"
echo "same records:   $same"
ok=$(awk -v r="$ratio" -v m="$mem" 'BEGIN{print (r >= 3 && m <= 1) ? "yes" : "no"}')
[ "$ok" = yes ] && [ "$same" = yes ]
