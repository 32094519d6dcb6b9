#!/bin/sh
# Builds the seed corpora of every fuzz target under fuzz/corpus/<target>
# (not in git) from the shared reference data and the repository:
#   fuzz/seed-corpus.sh [REFERENCE_DIR]   (default ../shared/reference)
# Re-running adds nothing twice (files are named by content hash).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
ref=${1:-$repo/../shared/reference}
corpus=$here/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# add TARGET FILE...: copies each file (at most 1 MB) into the corpus.
add() {
    t=$1; shift
    mkdir -p "$corpus/$t"
    for seed in "$@"; do
        [ -f "$seed" ] || continue
        [ "$(wc -c <"$seed")" -le 1048576 ] || continue
        cp "$seed" "$corpus/$t/$(sha1sum <"$seed" | cut -c1-16)"
    done
}
# text TARGET STRING...: one seed per string.
text() {
    t=$1; shift
    for s in "$@"; do printf '%s' "$s" >"$tmp/s"; add "$t" "$tmp/s"; done
}

archives="$ref/vectors/argus/*.argus $ref/pcaps/argus-ref/*.argus"
tar -xJf "$ref/pcaps/edge/tcpdump-4.99.3-tests-corpus.tar.xz" -C "$tmp"
captures="$ref/vectors/pcap/*.pcap $ref/pcaps/edge/*.pcap* $ref/pcaps/encap/*"

# shellcheck disable=SC2086
{
add record_roundtrip $archives "$repo"/tests/data/fuzz/*
add remote_handshake $ref/vectors/remote/*.bin $ref/vectors/argus/tcp4.argus
add capture_read $captures $(find "$tmp" -name '*.pcap*' | head -300)
add argus_engine $captures $(find "$tmp" -name '*.pcap*' | head -300)
add lzw "$repo"/tests/data/*.Z
for a in $ref/vectors/argus/tcp4.argus $ref/vectors/argus/status.argus $ref/pcaps/argus-ref/dnscap-vlan11.argus; do
    b=$(basename "$a")
    gzip -c "$a" >"$tmp/$b.gz"; bzip2 -c "$a" >"$tmp/$b.bz2"
    zstd -q -c "$a" >"$tmp/$b.zst" 2>/dev/null || true
    add decompress "$tmp/$b.gz" "$tmp/$b.bz2" "$tmp/$b.zst"
done
add decompress "$repo"/tests/data/demo.argus.* "$repo"/tests/data/*.Z
add argus_conf "$repo/conf/argus.conf" /etc/argus.conf
add rc_file "$repo/conf/rarc" /etc/ra.conf
add client_text "$repo/conf/rarc" /etc/ra.conf
}
text client_text "-t 2020/01/01.10:00-1h" "-1d" "2021/03/**.14" "-N 5-8" "-s stime:24 saddr:10 sport:3"
text server_commands "START: " "DONE: " "FILTER: man or (tcp and port 80)" "MODEL: xSTART: " "FILTER: man or (udp)
START: "
# Every filter expression of the shared cases (what follows ' - ').
grep -ho ' - [^|>]*' "$ref"/cases/*.cmd | sed 's/^ - //; s/ *$//' | sort -u >"$tmp/filters"
while IFS= read -r expr; do
    text filter_compile "$expr"
    text server_commands "FILTER: man or ($expr)"
done <"$tmp/filters"
# packet_decode: first byte picks the link type (index into
# capture::linktype::ALL), the rest is one frame from a capture.
python3 - "$corpus/packet_decode" $captures <<'EOF'
import hashlib, os, struct, sys
ALL = [0, 1, 9, 12, 14, 50, 51, 101, 104, 105, 108, 113, 127, 228, 229, 276]
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for path in sys.argv[2:]:
    try:
        d = open(path, 'rb').read()
    except OSError:
        continue
    if len(d) < 24 or d[:4] not in (b'\xd4\xc3\xb2\xa1', b'\xa1\xb2\xc3\xd4', b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\x3c\x4d'):
        continue
    e = '<' if d[:4] in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    lt = struct.unpack(e + 'I', d[20:24])[0]
    if lt not in ALL:
        continue
    off, n = 24, 0
    while off + 16 <= len(d) and n < 20:
        incl = struct.unpack(e + 'I', d[off + 8:off + 12])[0]
        frame = d[off + 16:off + 16 + incl]
        seed = bytes([ALL.index(lt)]) + frame
        open(os.path.join(out, hashlib.sha1(seed).hexdigest()[:16]), 'wb').write(seed)
        off += 16 + incl
        n += 1
EOF
for t in "$corpus"/*; do echo "$(basename "$t"): $(ls "$t" | wc -l) seeds"; done
