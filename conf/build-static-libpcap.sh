#!/usr/bin/env bash
# Builds a static libpcap for `make static` (the single-file argus-tool for
# routers) and prints the directory that holds libpcap.a.
#
#   conf/build-static-libpcap.sh musl|gnu OUTDIR
#
# Why rebuild libpcap at all: Debian's libpcap.a is compiled against glibc
# with _FORTIFY_SOURCE (it will not link into a musl binary), and it carries
# libpcap's D-Bus capture source, which drags in libdbus-1.a and libsystemd
# symbols that Debian ships no static archive for. A libpcap configured
# without D-Bus, RDMA, Bluetooth, USB, netmap, DPDK and libnl needs nothing
# but libc.
#
# Where the source comes from: Debian's source package, fetched by apt (so it
# is checked against the signed archive index) through a private apt state
# under OUTDIR/../apt: the system's apt configuration and package lists are
# left as they are. The deb-src entries are derived from the system's own
# `deb` entries, so the same mirror is used. Debian's patches (Hurd,
# kFreeBSD, man pages, shared-library packaging) do not touch a static Linux
# build, so the pristine upstream tarball is built. To build from a tarball
# you already have, set LIBPCAP_TARBALL=/path/to/libpcap-X.Y.Z.tar.gz.
#
# Everything is cached under OUTDIR: a second run with the same script and
# compiler only checks the stamp and returns.
#
# Needs: flex, bison, make, and gcc (gnu) or musl-gcc (musl, Debian's
# musl-tools); apt-get unless LIBPCAP_TARBALL is given.
set -euo pipefail

usage() {
    echo "usage: $0 musl|gnu OUTDIR" >&2
    exit 2
}
[ $# -eq 2 ] || usage
libc=$1
out=$2
case $libc in
    musl) cc=${STATIC_CC:-musl-gcc} ;;
    gnu) cc=${STATIC_CC:-gcc} ;;
    *) usage ;;
esac

mkdir -p "$out"
out=$(cd "$out" && pwd)
cache=$(dirname "$out")
prefix=$out/prefix
log=$out/build.log

say() { echo "build-static-libpcap: $*" >&2; }
# set -e stops at the first failing command; never silently.
trap 'say "failed at line $LINENO (exit $?)"' ERR
die() {
    say "$*"
    exit 1
}

for tool in "$cc" flex bison make; do
    command -v "$tool" > /dev/null || die "'$tool' is not installed (Debian: apt-get install musl-tools flex bison make)"
done

# The stamp names everything the result depends on: this script, the
# compiler and the source tarball. Same stamp, same library: nothing to do.
stamp_of() {
    {
        sha256sum "$0" | cut -d' ' -f1
        "$cc" --version 2> /dev/null | head -n1
        echo "$libc"
        sha256sum "$1" | cut -d' ' -f1
    } | sha256sum | cut -d' ' -f1
}

# --- the source tarball ---------------------------------------------------
fetch_debian_source() {
    local apt=$cache/apt dl=$cache/src
    command -v apt-get > /dev/null ||
        die "apt-get not found: set LIBPCAP_TARBALL to a libpcap source tarball"
    mkdir -p "$apt/sources.list.d" "$apt/lists/partial" "$apt/cache/archives/partial" "$dl"
    rm -f "$apt/sources.list.d/"*
    # deb-src twins of the system's enabled `deb` entries, one-line and deb822.
    local f n=0
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        n=$((n + 1))
        sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" > "$apt/sources.list.d/$n.list"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        n=$((n + 1))
        sed 's/^Types:.*/Types: deb-src/' "$f" > "$apt/sources.list.d/$n.sources"
    done
    local opts=(
        -o "Dir::Etc::sourcelist=/dev/null"
        -o "Dir::Etc::sourceparts=$apt/sources.list.d"
        -o "Dir::State::Lists=$apt/lists"
        -o "Dir::Cache=$apt/cache"
        -o "APT::Sandbox::User=$(id -un)"
        -q
    )
    say "fetching Debian's libpcap source package (private apt state in $apt)"
    # A third-party repository without source indexes makes `update` fail
    # while Debian's indexes arrived fine; `source` below is the real test.
    apt-get "${opts[@]}" update >> "$log" 2>&1 ||
        say "apt-get update reported errors (see $log); trying the download anyway"
    (cd "$dl" && apt-get "${opts[@]}" source --download-only libpcap) >> "$log" 2>&1 ||
        die "apt-get source libpcap failed (see $log); set LIBPCAP_TARBALL to a libpcap source tarball instead"
}

# The newest libpcap orig tarball already downloaded, if any.
cached_tarball() {
    mkdir -p "$cache/src"
    find "$cache/src" -maxdepth 1 -name 'libpcap_*.orig.tar.gz' | sort -V | tail -n1
}

if [ -n "${LIBPCAP_TARBALL:-}" ]; then
    tarball=$(realpath -m "$LIBPCAP_TARBALL")
    [ -f "$tarball" ] || die "LIBPCAP_TARBALL=$LIBPCAP_TARBALL: no such file"
else
    tarball=$(cached_tarball)
    if [ -z "$tarball" ]; then
        : > "$log"
        fetch_debian_source
        tarball=$(cached_tarball)
        [ -n "$tarball" ] || die "no libpcap_*.orig.tar.gz after apt-get source (see $log)"
    fi
fi

stamp=$(stamp_of "$tarball")
if [ -f "$prefix/lib/libpcap.a" ] && [ "$(cat "$out/stamp" 2> /dev/null)" = "$stamp" ]; then
    echo "$prefix/lib"
    exit 0
fi

# --- the build ------------------------------------------------------------
say "building $(basename "$tarball") for $libc with $cc (log: $log)"
echo "=== build $(date -u +%FT%TZ)" >> "$log"
rm -rf "$out/build" "$prefix" "$out/stamp"
mkdir -p "$out/build"
tar -C "$out/build" --strip-components=1 -xf "$tarball"

# -Os and per-function sections: the final link keeps only what is called.
cflags="-Os -fPIE -ffunction-sections -fdata-sections"
cppflags=""
host=()
if [ "$libc" = musl ]; then
    # musl-gcc searches musl's headers only; libpcap's Linux capture code
    # needs the kernel's. Offer exactly linux/, asm/ and asm-generic/.
    multiarch=$(gcc -print-multiarch)
    kh=$out/kernel-headers
    mkdir -p "$kh"
    ln -sfn /usr/include/linux "$kh/linux"
    ln -sfn /usr/include/asm-generic "$kh/asm-generic"
    ln -sfn "/usr/include/$multiarch/asm" "$kh/asm"
    [ -d "$kh/asm/" ] || die "kernel headers not found under /usr/include (Debian: linux-libc-dev)"
    # configure's preprocessor checks read CPPFLAGS, libpcap's Makefile
    # compiles with CFLAGS only: both need the directory.
    cppflags="-I$kh"
    cflags="$cflags $cppflags"
    host=(--host="$(uname -m)-linux-musl")
fi

(
    cd "$out/build"
    ./configure "${host[@]}" CC="$cc" CFLAGS="$cflags" CPPFLAGS="$cppflags" \
        --prefix="$prefix" --disable-shared --disable-dbus --disable-rdma \
        --disable-bluetooth --disable-usb --disable-netmap --disable-remote \
        --without-dpdk --without-libnl --without-dag --without-septel \
        --without-snf --without-turbocap
    make -j"$(nproc)"
    make install
) >> "$log" 2>&1 || die "libpcap build failed; the end of $log:$(echo; tail -n 20 "$log")"

# Nothing but libc may be left unresolved: a D-Bus or libnl reference here
# would only show up later as a link error in cargo's output.
if nm -u "$prefix/lib/libpcap.a" | grep -E -q ' U (dbus_|sd_|nl_|ibv_)'; then
    die "$prefix/lib/libpcap.a still refers to D-Bus/systemd/libnl/rdma symbols"
fi
cp "$out/build/VERSION" "$prefix/VERSION"
echo "$stamp" > "$out/stamp"
say "libpcap $(cat "$prefix/VERSION") ready: $prefix/lib/libpcap.a"
echo "$prefix/lib"
