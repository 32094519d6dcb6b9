#!/bin/sh
# argusarchive.sh -- take argus's output file away and file it by date.
#
#   argusarchive.sh [-z zstd|gzip] [-d /var/log/argus/argus.out] [-a /var/log/argus/archive]
#
# Run it from cron (e.g. `0 * * * * /usr/local/sbin/argusarchive.sh`). It
# moves the current output file to ARCHIVE/YYYY/MM/DD/argus.YYYY.MM.DD.HH.MM.SS
# (the time the file was started, from its first record, so a file begins
# where the previous one ended), then compresses it. argus keeps writing to
# the moved file until it notices, within a second, that the path is gone;
# it then starts a new output file (with a start record). The script waits
# two seconds before compressing so those last records are in the archive.
# Like Argus's own argusarchive, but without its state file: the start time
# is read from the data with `ra`.
set -eu

DATA=/var/log/argus/argus.out
ARCHIVE=/var/log/argus/archive
ZIP=zstd
while getopts "z:d:a:" o; do
    case $o in
        z) ZIP=$OPTARG ;;
        d) DATA=$OPTARG ;;
        a) ARCHIVE=$OPTARG ;;
        *) echo "usage: $0 [-z zstd|gzip] [-d datafile] [-a archivedir]" >&2; exit 2 ;;
    esac
done
case $ZIP in
    zstd) EXT=zst; COMPRESS="zstd -q --rm -19" ;;
    gzip) EXT=gz; COMPRESS="gzip -9" ;;
    *) echo "$0: -z zstd or gzip" >&2; exit 2 ;;
esac

[ -s "$DATA" ] || { echo "$0: $DATA: no data to archive"; exit 0; }

# Move first: from here on argus writes a new file, and this one is ours.
work="$DATA.archiving.$$"
mv "$DATA" "$work"
sleep 2

# The file's start: the first record's time (seconds since the epoch);
# the modification time when ra cannot tell.
start=$(ra -X -N 1 -u -c , -s stime -r "$work" 2>/dev/null | awk -F, 'NR==2 {print int($1)}')
[ -n "$start" ] || start=$(stat -c %Y "$work")
dir="$ARCHIVE/$(date -d "@$start" +%Y/%m/%d)"
name="argus.$(date -d "@$start" +%Y.%m.%d.%H.%M.%S)"
mkdir -p "$dir"
n=0
while [ -e "$dir/$name.$n" ] || [ -e "$dir/$name.$n.$EXT" ]; do n=$((n + 1)); done
dest="$dir/$name.$n"
mv "$work" "$dest"
$COMPRESS "$dest"
echo "$(date '+%Y.%m.%d.%H.%M.%S') $DATA archived as $dest.$EXT"
