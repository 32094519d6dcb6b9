# shellcheck shell=bash
# Shared by the benchmark scripts (sourced, not run): the benchmark data and
# the timing helper. The caller has cd'ed to the repository root.

# gen_capture OUT.pcap ARGS...: writes a capture with the project's own
# deterministic generator (benches/gen_capture.rs), building it first.
gen_capture() {
  local out=$1; shift
  cargo build --release --quiet --example gen-capture
  "${CARGO_TARGET_DIR:-target}/release/examples/gen-capture" "$out.tmp" "$@" 2> "$out.txt"
  mv "$out.tmp" "$out"
  cat "$out.txt" >&2
}

# bench_data DIR: makes sure DIR holds big.pcap (4.5 M packets of the
# normal mix, seed 1), big.argus (Debian's argus -X over it) and
# big.argus.gz. Whatever is already there is reused (DATA=/work/bench-data).
bench_data() {
  local dir=$1
  mkdir -p "$dir"
  if [ ! -s "$dir/big.argus" ]; then
    if [ ! -s "$dir/big.pcap" ]; then
      echo "generating $dir/big.pcap (4.5 M packets, about 3.3 GB)..." >&2
      gen_capture "$dir/big.pcap" --seed 1 --packets 4500000
    fi
    echo "building $dir/big.argus with Debian's argus..." >&2
    /usr/sbin/argus -X -r "$dir/big.pcap" -w "$dir/big.argus.tmp"
    mv "$dir/big.argus.tmp" "$dir/big.argus"
  fi
  if [ ! -s "$dir/big.argus.gz" ]; then
    gzip -6 -c "$dir/big.argus" > "$dir/big.argus.gz.tmp"
    mv "$dir/big.argus.gz.tmp" "$dir/big.argus.gz"
  fi
}

# cpu_rss FILE CMD...: runs CMD and writes "cpu_seconds peak_kib" of it
# (and of the children it waited for) to FILE, from wait4's rusage: to the
# microsecond, where /usr/bin/time rounds to 10 ms (too coarse for the
# runs of a few hundredths of a second that some rows are). Exits as CMD.
cpu_rss() {
  python3 -c 'import os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write("%.4f %d\n" % (ru.ru_utime + ru.ru_stime, ru.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))' "$@"
}

# measure RUNS OUT CMD...: runs CMD RUNS times (stdout to OUT) and prints
# "cpu_seconds peak_kib" -- the least user+sys time and the least peak RSS
# over the runs (other jobs on the machine only ever add to either).
# Prints "fail" when CMD exits non-zero on its first run.
# MEASURE_RM=FILE removes FILE before each run (argus -w appends).
measure() {
  local runs=$1 out=$2; shift 2
  local t; t=$(mktemp)
  local best_cpu="" best_mem="" cpu mem i
  for ((i = 0; i < runs; i++)); do
    [ -z "${MEASURE_RM:-}" ] || rm -f "$MEASURE_RM"
    if ! cpu_rss "$t" "$@" > "$out" 2> "$t.err"; then
      if [ "$i" = 0 ]; then echo fail; rm -f "$t" "$t.err"; return; fi
    fi
    read -r cpu mem < "$t"
    if [ -z "$best_cpu" ] || awk -v a="$cpu" -v b="$best_cpu" 'BEGIN{exit !(a < b)}'; then best_cpu=$cpu; fi
    if [ -z "$best_mem" ] || [ "$mem" -lt "$best_mem" ]; then best_mem=$mem; fi
  done
  rm -f "$t" "$t.err"
  echo "$best_cpu $best_mem"
}

# The columns both ra's print when records are compared.
RA_FIELDS=(stime ltime flgs proto saddr sport dir daddr dport spkts dpkts sbytes dbytes state)

# ra_lines ARCHIVE: the records as Debian's ra prints them, sorted.
ra_lines() {
  TZ=UTC /usr/bin/ra -X -n -u -c , -s "${RA_FIELDS[@]}" -r "$1" | LC_ALL=C sort
}
