#!/usr/bin/env bash
# CPU time (user+sys) and peak RSS of argus-tool's clients against Debian's
# 3.0.8.2 tools on big.argus, one row per command, in one run:
#   ra -X -r big.argus            (goal: ratio <= 0.10)
#   rasort -X -m bytes -r big.argus (goal: <= 0.10, RSS <= 1/3 of Debian's)
#   racount -X -r big.argus       (goal: <= 0.33)
#   ra -X -r big.argus.gz         (goal: <= 0.33)
#
#   benches/compare.sh [DATA_DIR] [RUNS]
#
# DATA_DIR holds big.argus (default target/bench-data). When it is missing
# it is built there: python3 ../shared/tools/gen_pcap.py big.pcap --flows
# 200000 --seed 1 (about 3.2 GB, a minute), then Debian's `argus -X -r
# big.pcap -w big.argus` (about 300k records). Generated data stays out of
# git (target/ is ignored). On the team machine /work/bench-data already
# has it: benches/compare.sh /work/bench-data
#
# Each command runs RUNS times (default 3); the best user+sys time and the
# smallest peak RSS count. Both outputs are also compared byte for byte.
# Ours runs with RAYON_NUM_THREADS=1 (CPU time sums the threads, so more
# threads cannot improve the ratio; THREADS=n overrides). big.argus.gz is
# made next to big.argus (gzip -6) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

data=${1:-target/bench-data}
runs=${2:-3}
shared=../shared
argus=${DEBIAN_ARGUS:-/usr/sbin/argus}

if [ ! -s "$data/big.argus" ]; then
  mkdir -p "$data"
  if [ ! -s "$data/big.pcap" ]; then
    echo "building $data/big.pcap (about 3.2 GB, a minute)" >&2
    python3 "$shared/tools/gen_pcap.py" "$data/big.pcap" --flows 200000 --seed 1 >&2
  fi
  echo "building $data/big.argus with $argus" >&2
  "$argus" -X -r "$data/big.pcap" -w "$data/big.argus"
fi

cargo build --release --quiet
bin=target/release/argus-tool
links=$(mktemp -d)
trap 'rm -rf "$links"' EXIT
for r in ra rasort racount; do ln -s "$(pwd)/$bin" "$links/$r"; done
if [ ! -s "$data/big.argus.gz" ]; then gzip -6 -c "$data/big.argus" >"$data/big.argus.gz"; fi

# best CMD...: runs CMD $runs times with stdout to /dev/null and prints the
# smallest user+sys seconds and the smallest peak RSS (KB).
best() {
  local cpu="" rss="" t m
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%U %S %M" -o "$links/time" "$@" >/dev/null 2>/dev/null || true
    t=$(tail -1 "$links/time" | awk '{printf "%.3f", $1 + $2}')
    m=$(tail -1 "$links/time" | awk '{print $3}')
    if [ -z "$cpu" ] || awk -v a="$t" -v b="$cpu" 'BEGIN{exit !(a < b)}'; then cpu=$t; fi
    if [ -z "$rss" ] || [ "$m" -lt "$rss" ]; then rss=$m; fi
  done
  echo "$cpu $rss"
}

export TZ=UTC
echo "input: $data/big.argus ($(stat -c %s "$data/big.argus") bytes), best of $runs, TZ=UTC, ours with RAYON_NUM_THREADS=${THREADS:-1}"
printf "%-34s %9s %9s %7s %9s %9s %6s %s\n" command "ours s" "Debian s" ratio "ours KB" "Deb KB" "RSS" output
row() {
  local label=$1 tool=$2; shift 2
  local o d same="identical"
  o=$(RAYON_NUM_THREADS=${THREADS:-1} best "$links/$tool" "$@")
  d=$(best "/usr/bin/$tool" "$@")
  if ! cmp -s <("$links/$tool" "$@" 2>/dev/null) <("/usr/bin/$tool" "$@" 2>/dev/null); then same="DIFFERENT"; fi
  set -- $o $d
  awk -v l="$label" -v oc="$1" -v orss="$2" -v dc="$3" -v drss="$4" -v s="$same" \
    'BEGIN{printf "%-34s %9.3f %9.3f %7.3f %9d %9d %6.2f %s\n", l, oc, dc, oc / dc, orss, drss, orss / drss, s}'
}
row "ra -X -r big.argus" ra -X -r "$data/big.argus"
row "rasort -X -m bytes -r big.argus" rasort -X -m bytes -r "$data/big.argus"
row "racount -X -r big.argus" racount -X -r "$data/big.argus"
row "ra -X -r big.argus.gz" ra -X -r "$data/big.argus.gz"
# ramon -M TopN against 3.0.8.2's way to the same table: racluster's rmon
# host totals sorted by rasort (sh waits for both, so time counts both).
ln -s "$(pwd)/$bin" "$links/ramon"
set -- $(RAYON_NUM_THREADS=${THREADS:-1} best "$links/ramon" -X -M TopN -N 25 -r "$data/big.argus") \
  $(best sh -c "racluster -X -M rmon -m saddr -r '$data/big.argus' -w - | rasort -X -r - -m bytes")
awk -v l="ramon -M TopN -N 25 (racluster)" -v oc="$1" -v orss="$2" -v dc="$3" -v drss="$4" \
  'BEGIN{printf "%-34s %9.3f %9.3f %7.3f %9d %9d %6.2f %s\n", l, oc, dc, oc / dc, orss, drss, orss / drss, "(tests/ramon.rs)"}'
echo "goals (ratio ours/Debian CPU): ra <= 0.10, rasort <= 0.10 with RSS <= 0.33, racount <= 0.33, ra .gz <= 0.33, ramon <= 0.10"
