#!/bin/sh
# Runs fuzz targets one after another, niced (the machine is shared), each
# for SECONDS (default 300), on the corpora fuzz/seed-corpus.sh makes:
#   fuzz/run-all.sh [SECONDS] [TARGET...]     (default: every target)
# Findings land in fuzz/artifacts/<target>/; a summary line per target is
# appended to fuzz/runs.log (not in git). Needs nightly + cargo-fuzz.
set -u
here=$(cd "$(dirname "$0")" && pwd)
secs=${1:-300}
[ $# -gt 0 ] && shift
targets=${*:-$(cargo +nightly fuzz list --fuzz-dir "$here" 2>/dev/null)}
cd "$here" || exit 1
for t in $targets; do
    mkdir -p "corpus/$t" "artifacts/$t"
    start=$(date -u +%H:%M:%S)
    # -a: debug assertions (integer overflow is a finding); -s none: no
    # ASan, the code is safe Rust and the budget is better spent on runs.
    nice -n 10 cargo +nightly fuzz run -O -a -s none "$t" "corpus/$t" -- \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 >"artifacts/$t.log" 2>&1
    rc=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "artifacts/$t.log" | grep -o '[0-9]*$')
    found=$(ls "artifacts/$t" | wc -l)
    echo "$start $t ${secs}s exit=$rc execs=${execs:-?} artifacts=$found" | tee -a runs.log
done
