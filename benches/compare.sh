#!/usr/bin/env bash
# argus-tool against Debian's Argus 3.0.8.2, side by side: CPU time
# (user+sys) and peak RSS of the same job done by both, their ratios, and
# PASS/FAIL against the goals.
#
#   benches/compare.sh [DATA_DIR] [RUNS]      (make bench-compare DATA=dir)
#
# DATA_DIR (default target/bench-data) holds big.pcap, big.argus and
# big.argus.gz; whatever is missing is built there: big.pcap by our
# generator (benches/gen_capture.rs, seed 1, 4.5 M packets, ~3.3 GB),
# big.argus by Debian's `argus -X -r big.pcap`, big.argus.gz by gzip -6.
# Existing data is reused (on the team machine: DATA=/work/bench-data).
#
# Each command runs RUNS times (default 3); the least CPU time and the least
# peak RSS count. Our clients run single-threaded (THREADS=1, i.e.
# RAYON_NUM_THREADS) unless THREADS says otherwise; Debian's are. Where
# both print the same thing, the outputs are compared too ("same").
# A role that says "not implemented yet" gets an "n/a" row.
#
# Adding a row: one `row_NAME` function setting `ours` and `theirs` (the
# two commands; argus writes to $tmp/ours.argus and $tmp/debian.argus,
# removed before each run), `goal` (least CPU ratio Debian/ours), optionally
# `rss_goal` (most RSS ratio ours/Debian) and `check=1` (compare stdout),
# then `run_row "label"`; and add it to ROWS below.
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/lib.sh

data=${1:-target/bench-data}
runs=${2:-3}
bench_data "$data"
cargo build --release --quiet
bin=$(realpath "${CARGO_TARGET_DIR:-target}")/release/argus-tool
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for role in $(cat argv0-links); do ln -s "$bin" "$tmp/$role"; done
export TZ=UTC RAYON_NUM_THREADS=${THREADS:-1}
pcap=$data/big.pcap
archive=$data/big.argus
failed=0

# ---------------------------------------------------------------- rows

row_argus() {
  ours=("$tmp/argus" -X -r "$pcap" -w "$tmp/ours.argus")
  theirs=(/usr/sbin/argus -X -r "$pcap" -w "$tmp/debian.argus")
  goal=3 rss_goal=1
  [ -s "$pcap" ] || { skip_row "argus -r" "no $pcap"; return; }
  run_row "argus -r"
  rm -f "$tmp/ours.argus" "$tmp/debian.argus"
}

row_ra() {
  ours=("$tmp/ra" -X -r "$archive")
  theirs=(/usr/bin/ra -X -r "$archive")
  goal=10 check=1
  run_row "ra text"
}

row_filter() {
  local f="tcp and dst port 443 and bytes gt 1000"
  ours=("$tmp/ra" -X -r "$archive" -w /dev/null - "$f")
  theirs=(/usr/bin/ra -X -r "$archive" -w /dev/null - "$f")
  goal=5
  run_row "ra filter -w"
}

row_rasort() {
  ours=("$tmp/rasort" -X -m bytes -r "$archive")
  theirs=(/usr/bin/rasort -X -m bytes -r "$archive")
  goal=10 rss_goal=0.34 check=1
  run_row "rasort -m bytes"
}

row_racount() {
  ours=("$tmp/racount" -X -r "$archive")
  theirs=(/usr/bin/racount -X -r "$archive")
  goal=3 check=1
  run_row "racount"
}

row_ramon() {
  ours=("$tmp/ramon" -X -M TopN -N 25 -r "$archive")
  theirs=(bash -c '/usr/bin/racluster -X -M rmon -m saddr -r "$1" -w - | /usr/bin/rasort -X -m bytes -r -' racluster "$archive")
  goal=10
  run_row "ramon TopN"
}

row_gz() {
  ours=("$tmp/ra" -X -r "$archive.gz")
  theirs=(/usr/bin/ra -X -r "$archive.gz")
  goal=3 check=1
  run_row "ra .gz"
}

# ROWS="row_ra row_filter" benches/compare.sh ...: only those rows.
read -r -a ROWS <<< "${ROWS:-row_argus row_ra row_filter row_rasort row_racount row_ramon row_gz}"

# ---------------------------------------------------------------- machinery

fmt="%-16s %9s %9s %7s %5s %9s %9s %6s %5s %-6s %s\n"

# run_row LABEL: measures "${ours[@]}" and "${theirs[@]}", prints the row.
run_row() {
  local label=$1 o t ratio rss_ratio same=- result=PASS
  o=$(MEASURE_RM="$tmp/ours.argus" measure "$runs" "$tmp/ours.out" "${ours[@]}" 2> "$tmp/ours.err")
  if [ "$o" = fail ]; then
    "${ours[@]}" > /dev/null 2> "$tmp/ours.err" || true
    if grep -q "not implemented yet" "$tmp/ours.err"; then
      skip_row "$label" "not implemented yet"
    else
      skip_row "$label" "FAIL: ours exits non-zero: $(head -1 "$tmp/ours.err")"
      failed=1
    fi
    return
  fi
  t=$(MEASURE_RM="$tmp/debian.argus" measure "$runs" "$tmp/theirs.out" "${theirs[@]}")
  [ "$t" = fail ] && { skip_row "$label" "Debian's command failed"; return; }
  read -r ocpu omem <<< "$o"
  read -r tcpu tmem <<< "$t"
  ratio=$(awk -v a="$tcpu" -v b="$ocpu" 'BEGIN{printf "%.1f", (b > 0) ? a / b : 999}')
  rss_ratio=$(awk -v a="$omem" -v b="$tmem" 'BEGIN{printf "%.2f", a / b}')
  if [ "${check:-0}" = 1 ]; then
    if cmp -s "$tmp/ours.out" "$tmp/theirs.out"; then same=same; else same=DIFFERS; result=FAIL; fi
  fi
  awk -v r="$ratio" -v g="$goal" 'BEGIN{exit !(r >= g)}' || result=FAIL
  if [ -n "${rss_goal:-}" ]; then
    awk -v r="$rss_ratio" -v g="$rss_goal" 'BEGIN{exit !(r <= g)}' || result=FAIL
  fi
  [ "$result" = PASS ] || failed=1
  printf "$fmt" "$label" "$ocpu" "$tcpu" "${ratio}x" ">=$goal" \
    "$(mib "$omem")" "$(mib "$tmem")" "$rss_ratio" "${rss_goal:+<=$rss_goal}" "$same" "$result"
}

skip_row() {
  printf "%-16s %s\n" "$1" "n/a ($2)"
}

mib() { awk -v k="$1" 'BEGIN{printf "%.1f", k / 1024}'; }

echo "data: $data (big.argus $(stat -c %s "$archive") bytes); best of $runs; RAYON_NUM_THREADS=$RAYON_NUM_THREADS; TZ=UTC"
printf "$fmt" "job" "ours s" "Debian s" "CPU" "goal" "ours MiB" "Deb MiB" "RSS" "goal" "output" "result"
for r in "${ROWS[@]}"; do
  unset ours theirs goal rss_goal check
  "$r"
done
exit "$failed"
