#!/usr/bin/env bash
# Load tests (issue 7), each against a stated memory budget (peak RSS from
# /usr/bin/time, or sampled from /proc for the server):
#
#  scan     millions of distinct flows (a SYN scan made by our generator)
#           through `argus -r`: with ARGUS_FLOW_TABLE_MAX=100000 the peak
#           stays under 96 MiB, with the default table (1,048,576 flows)
#           under 512 MiB, whatever the number of flows in the capture.
#  archive  a 10 M-record archive (argus over a longer scan, 1.2 GB) read,
#           filtered, counted, sorted and aggregated. The clients map the
#           archive, and its pages count in RSS (page cache, not heap), so
#           every budget is the archive's size plus: 64 MiB for ra and
#           racount (they stream), 64 B per record for rasort (a compact
#           key per record), 512 MiB for ramon (one entry per address,
#           ~0.5 M of them). Roles not implemented yet say so ("n/a").
#  clients  50 remote clients (10 of them slow readers) on `argus -P`
#           replaying a capture with -T: argus stays under 256 MiB, every
#           fast client gets an unbroken tail of the records the file got,
#           every slow one a contiguous run of them, and argus ends on its
#           own.
#
#   benches/load.sh [DATA_DIR] [TESTS...]   (make bench-load DATA=dir)
#
# DATA_DIR (default target/bench-data) keeps the generated captures.
# Exit status 0 when every test is within its budget.
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/lib.sh
data=${1:-target/bench-data}
shift || true
tests=("${@:-scan archive clients}")
read -r -a tests <<< "${tests[*]}"
bin=${ARGUS_TOOL:-target/release/argus-tool}
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
mkdir -p "$data"
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; [ -n "${KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"' EXIT
export TZ=UTC
failed=0

# verdict NAME PEAK_KIB BUDGET_MIB [DETAIL]
verdict() {
  local res=PASS
  [ "$2" -le $(($3 * 1024)) ] || { res=FAIL; failed=1; }
  printf "%-34s peak %7.1f MiB  budget %5d MiB  %s %s\n" "$1" "$(awk -v k="$2" 'BEGIN{print k/1024}')" "$3" "$res" "${4:-}"
}

# peak_of CMD...: runs CMD (stdout to /dev/null), prints its peak RSS in KiB,
# or "n/a" when the role is not implemented yet.
peak_of() {
  if /usr/bin/time -f "%M" -o "$tmp/t" "$@" > /dev/null 2> "$tmp/err"; then
    tail -1 "$tmp/t"
  elif grep -q "not implemented yet" "$tmp/err"; then
    echo n/a
  else
    echo "FAILED: $* : $(head -2 "$tmp/err")" >&2
    echo 999999999
  fi
}

load_scan() {
  local pcap="$data/scan-3M.pcap" peak
  [ -s "$pcap" ] || gen_capture "$pcap" --mix scan --seed 1 --packets 3000000
  printf 'ARGUS_FLOW_TABLE_MAX=100000\n' > "$tmp/table.conf"
  peak=$(peak_of "$bin" argus -X -F "$tmp/table.conf" -v -r "$pcap" -w /dev/null)
  verdict "scan 2.4M flows, table 100000" "$peak" 96 "($(tail -1 "$tmp/err"))"
  peak=$(peak_of "$bin" argus -X -v -r "$pcap" -w /dev/null)
  verdict "scan 2.4M flows, default table" "$peak" 512
}

load_archive() {
  local pcap="$data/scan-12M.pcap" arch="$data/scan-10M.argus" peak n size role mapped
  [ -s "$pcap" ] || gen_capture "$pcap" --mix scan --seed 2 --packets 12450000
  if [ ! -s "$arch" ]; then
    "$bin" argus -X -r "$pcap" -w "$arch.tmp"
    mv "$arch.tmp" "$arch"
  fi
  n=$("$bin" racount -X -r "$arch" 2>/dev/null | awk 'NR==2{print $2}' || true)
  [ -n "$n" ] || n=$("$bin" ra -X -n -r "$arch" -s seq | wc -l)
  size=$(stat -c %s "$arch")
  mapped=$((size / 1048576 + 1))
  echo "archive: $arch ($size bytes = $mapped MiB mapped, $n records)"
  verdict "ra 10M records" "$(peak_of "$bin" ra -X -r "$arch")" $((mapped + 64))
  verdict "ra filter 10M records" "$(peak_of "$bin" ra -X -r "$arch" -w /dev/null - 'tcp and dst port 443')" $((mapped + 64))
  for role in racount rasort ramon; do
    local args=(-X -r "$arch") budget=$((mapped + 64))
    case $role in
      rasort) args+=(-m bytes); budget=$((mapped + n * 64 / 1048576 + 1));;
      ramon) args+=(-M TopN -N 25); budget=$((mapped + 512));;
    esac
    peak=$(peak_of "$bin" "$role" "${args[@]}")
    if [ "$peak" = n/a ]; then
      printf "%-34s n/a (not implemented yet)\n" "$role 10M records"
    else
      verdict "$role 10M records" "$peak" "$budget"
    fi
  done
}

load_clients() {
  local pcap="$data/clients-500k.pcap" port=${PORT:-17991} apid i peak=0 rss
  [ -s "$pcap" ] || gen_capture "$pcap" --seed 3 --packets 500000
  # The capture spans ~40 s of packet time: -T 4 replays it in ~10 s.
  # Room for all 50 (the default limit is 10) and argus's default queue.
  printf 'ARGUS_MAX_CLIENTS=64\n' > "$tmp/clients.conf"
  "$bin" argus -X -F "$tmp/clients.conf" -r "$pcap" -T 4 -P "$port" -B 127.0.0.1 -w "$tmp/file.argus" 2> "$tmp/argus.err" &
  apid=$!; pids+=("$apid")
  local start=$SECONDS
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
  for i in $(seq 50); do
    if [ "$i" -le 10 ]; then
      # Slow: reads a line every 2 ms, so the socket backs up.
      ("$bin" ra -X -S "127.0.0.1:$port" -n -u -c , -s seq stime saddr daddr pkts bytes 2>/dev/null |
        while IFS= read -r line; do printf '%s\n' "$line"; sleep 0.002; done > "$tmp/slow-$i.txt") &
    else
      "$bin" ra -X -S "127.0.0.1:$port" -n -u -c , -s seq stime saddr daddr pkts bytes > "$tmp/fast-$i.txt" 2>/dev/null &
    fi
    pids+=($!)
  done
  while kill -0 "$apid" 2>/dev/null; do
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$apid/status" 2>/dev/null || echo 0)
    [ "${rss:-0}" -gt "$peak" ] && peak=$rss
    sleep 0.2
  done
  wait "$apid" || true
  sleep 1
  for p in "${pids[@]:1}"; do kill "$p" 2>/dev/null || true; done
  "$bin" ra -X -r "$tmp/file.argus" -n -u -c , -s seq stime saddr daddr pkts bytes | grep -v '^Seq,' > "$tmp/file.txt"
  local total broken=0 got=0 k
  total=$(wc -l < "$tmp/file.txt")
  for i in $(seq 11 50); do
    grep -v '^Seq,' "$tmp/fast-$i.txt" > "$tmp/fast.txt" || true
    k=$(wc -l < "$tmp/fast.txt")
    got=$((got + k))
    # A client sees the records from its connection on: a tail of the file's.
    if [ "$k" -lt $((total / 2)) ] || ! tail -n "$k" "$tmp/file.txt" | cmp -s - "$tmp/fast.txt"; then
      broken=$((broken + 1))
    fi
  done
  # A slow client is cut off when argus ends (or dropped when its queue
  # fills): what it did get must still be a contiguous run of the file's.
  local slow=0 at
  for i in $(seq 1 10); do
    grep -v '^Seq,' "$tmp/slow-$i.txt" | head -n -1 > "$tmp/slow.txt" || true
    k=$(wc -l < "$tmp/slow.txt")
    slow=$((slow + k))
    [ "$k" -gt 0 ] || continue
    at=$(grep -n -F -x -m1 "$(head -1 "$tmp/slow.txt")" "$tmp/file.txt" | cut -d: -f1)
    if [ -z "$at" ] || ! sed -n "${at},$((at + k - 1))p" "$tmp/file.txt" | cmp -s - "$tmp/slow.txt"; then
      broken=$((broken + 1))
    fi
  done
  verdict "50 clients (10 slow), -T replay" "$peak" 256 \
    "(replay $((SECONDS - start)) s; file $total records; 40 fast clients: $got records; 10 slow: $slow records, $(grep -c 'drop' "$tmp/argus.err" || true) drop messages; $broken clients not a contiguous run of the file's)"
  [ "$broken" = 0 ] || failed=1
}

for t in "${tests[@]}"; do "load_$t"; done
exit "$failed"
