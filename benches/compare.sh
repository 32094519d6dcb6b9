#!/usr/bin/env bash
# CPU time of `ra -r big.argus > /dev/null`: argus-tool's ra against
# Debian's ra 3.0.8.2, single-threaded, in one run.
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
# Each command runs RUNS times (default 3); the best user+sys time counts.
# Both outputs are also compared byte for byte. Prints one line per tool
# and the ratio ours/Debian (goal: <= 0.20, later <= 0.10).
set -euo pipefail
cd "$(dirname "$0")/.."

data=${1:-target/bench-data}
runs=${2:-3}
shared=../shared
debian_ra=${DEBIAN_RA:-/usr/bin/ra}
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
ln -s "$(pwd)/$bin" "$links/ra"

# best_cpu CMD...: runs CMD $runs times with stdout to /dev/null and
# prints the smallest user+sys seconds.
best_cpu() {
  local best="" t
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%U %S" -o "$links/time" "$@" >/dev/null 2>/dev/null
    t=$(tail -1 "$links/time" | awk '{printf "%.3f", $1 + $2}')
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN{exit !(a < b)}'; then best=$t; fi
  done
  echo "$best"
}

records=$(stat -c %s "$data/big.argus")
export TZ=UTC RAYON_NUM_THREADS=1
ours=$(best_cpu "$links/ra" -X -r "$data/big.argus")
theirs=$(best_cpu "$debian_ra" -X -r "$data/big.argus")

same="identical"
if ! cmp -s <("$links/ra" -X -r "$data/big.argus") <("$debian_ra" -X -r "$data/big.argus"); then
  same="DIFFERENT"
fi

echo "input: $data/big.argus ($records bytes), best of $runs, TZ=UTC, one thread"
echo "argus-tool ra -X -r big.argus > /dev/null: ${ours}s CPU (user+sys)"
echo "Debian ra  -X -r big.argus > /dev/null: ${theirs}s CPU (user+sys)"
awk -v a="$ours" -v b="$theirs" 'BEGIN{printf "ratio ours/Debian: %.3f (goal <= 0.200, later <= 0.100)\n", a / b}'
echo "outputs: $same"

# ramon -M TopN against the 3.0.8.2 way to the same table (racluster's
# rmon host totals sorted by rasort; sh waits for both, so time counts both).
ln -s "$(pwd)/$bin" "$links/ramon"
ours=$(best_cpu "$links/ramon" -X -M TopN -N 25 -r "$data/big.argus")
theirs=$(best_cpu sh -c "racluster -X -M rmon -m saddr -r '$data/big.argus' -w - | rasort -X -r - -m bytes")
echo "argus-tool ramon -X -M TopN -N 25 -r big.argus: ${ours}s CPU (user+sys)"
echo "Debian racluster -M rmon -m saddr -w - | rasort -m bytes: ${theirs}s CPU (user+sys)"
awk -v a="$ours" -v b="$theirs" 'BEGIN{printf "ratio ramon/Debian: %.3f (goal <= 0.100)\n", a / b}'
