#!/usr/bin/env bash
# argus -r against Debian's argus 3.0.8.2 on one large generated capture:
# CPU time (user+sys), peak memory, and whether the flow records are equal.
#
# usage: benches/bench-argus.sh [DATA_DIR] [RUNS]
#   DATA_DIR  where big.pcap lives (default target/bench-data); generated
#             there when absent by our generator (benches/gen_capture.rs,
#             --seed 1 --packets 4500000: about 3.3 GB).
#   RUNS      runs per tool; the least CPU time and the least peak RSS
#             count (default 3).
# Needs: Debian's argus and ra (apt-get install argus-server argus-client),
# GNU time (/usr/bin/time), a release build (make build).
# Exit status: 0 when ours needs at most a third of argus's CPU time, no
# more peak memory, and writes the same flow records; 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/lib.sh
data=${1:-target/bench-data}
runs=${2:-3}
ours=${OURS:-target/release/argus-tool}
[ -x "$ours" ] || { echo "build first: make build" >&2; exit 1; }
[ -x /usr/sbin/argus ] || { echo "Debian's argus is needed: apt-get install argus-server" >&2; exit 1; }
mkdir -p "$data"
pcap="$data/big.pcap"
if [ ! -s "$pcap" ]; then
  echo "generating $pcap (4.5 M packets, about 3.3 GB)..." >&2
  gen_capture "$pcap" --seed 1 --packets 4500000
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

read -r a_cpu a_mem < <(MEASURE_RM="$tmp/debian.argus" measure "$runs" /dev/null /usr/sbin/argus -X -r "$pcap" -w "$tmp/debian.argus")
read -r o_cpu o_mem < <(MEASURE_RM="$tmp/ours.argus" measure "$runs" /dev/null "$ours" argus -X -r "$pcap" -w "$tmp/ours.argus")

ra_lines "$tmp/debian.argus" > "$tmp/debian.txt"
ra_lines "$tmp/ours.argus" > "$tmp/ours.txt"
records=$(wc -l < "$tmp/debian.txt")
if cmp -s "$tmp/debian.txt" "$tmp/ours.txt"; then
  same=yes
else
  same="NO: $(diff "$tmp/debian.txt" "$tmp/ours.txt" | grep -c '^[<>]') lines differ ($records vs $(wc -l < "$tmp/ours.txt") records)"
fi
ratio=$(awk -v a="$a_cpu" -v o="$o_cpu" 'BEGIN{printf "%.2f", a / o}')
mem=$(awk -v a="$a_mem" -v o="$o_mem" 'BEGIN{printf "%.2f", o / a}')
echo "capture:        $pcap ($(stat -c %s "$pcap") bytes; $(cat "$pcap.txt" 2>/dev/null || echo "not made by gen-capture"))"
echo "Debian argus:   ${a_cpu} s CPU, ${a_mem} KiB peak RSS (best of $runs)"
echo "argus-tool:     ${o_cpu} s CPU, ${o_mem} KiB peak RSS (best of $runs)"
echo "CPU ratio:      ${ratio}x less (target >= 3)"
echo "memory ratio:   ${mem} of argus's peak (target <= 1)"
echo "same records:   $same ($records records; Debian ra -n -u -c , -s ${RA_FIELDS[*]}, sorted)"
ok=$(awk -v r="$ratio" -v m="$mem" 'BEGIN{print (r >= 3 && m <= 1) ? "yes" : "no"}')
[ "$ok" = yes ] && [ "$same" = yes ]
