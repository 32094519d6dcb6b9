# argus-tool: build, test, demo, install.
# `make demo` runs the main job on the sample data in the repo; `make test` runs every test.

CARGO    ?= cargo
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
PROFILE  ?= release
# cargo puts the `dev` profile in target/debug, every other one in target/NAME.
TARGETDIR = target/$(if $(filter dev,$(PROFILE)),debug,$(PROFILE))
BIN       = $(TARGETDIR)/argus-tool
ROLES     = $(shell cat argv0-links)

# The single static file (README: "Static build for routers").
# STATIC_LIBC=musl: the x86_64-unknown-linux-musl target, libpcap built with
# musl-gcc; the default and the smallest. STATIC_LIBC=gnu: glibc with
# +crt-static, libpcap built with gcc; the fallback where the musl Rust
# target cannot be installed. The explicit --target keeps crt-static away
# from build scripts and proc-macros.
STATIC_LIBC    ?= musl
STATIC_ARCH    ?= $(shell uname -m)
STATIC_TARGET   = $(STATIC_ARCH)-unknown-linux-$(STATIC_LIBC)
STATIC_PROFILE ?= release-small
STATIC_BIN      = target/$(STATIC_TARGET)/$(STATIC_PROFILE)/argus-tool
STATIC_PCAPDIR  = target/static/libpcap-$(STATIC_LIBC)
# relocation-model=static: a plain static executable (ELF type EXEC, which
# `ldd` calls "not a dynamic executable"), not the static-pie the musl target
# makes by default -- no self-relocation at start-up, and what the Proof
# issue asks for.
STATIC_FLAGS    = RUSTFLAGS="$$RUSTFLAGS -C relocation-model=static$(if $(filter gnu,$(STATIC_LIBC)), -C target-feature=+crt-static)"

.PHONY: all build test demo links install clean fmt lint static install-static static-path test-static bench-compare bench-argus bench-load

all: build

build:
	$(CARGO) build --profile $(PROFILE)

# Role symlinks next to the built binary (target/release/ra -> argus-tool, ...).
links: build
	@for r in $(ROLES); do ln -sfn argus-tool $(TARGETDIR)/$$r; done
	@echo "links made in $(TARGETDIR): $(ROLES)"

# $(call install_to,BINARY): BINARY as $(BINDIR)/argus-tool plus one
# relative symlink per role, so the directory can be moved or copied whole.
define install_to
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(1) $(DESTDIR)$(BINDIR)/argus-tool
	@for r in $(ROLES); do ln -sfn argus-tool $(DESTDIR)$(BINDIR)/$$r; done
	@echo "installed $(DESTDIR)$(BINDIR)/argus-tool and links: $(ROLES)"
endef

install: build
	$(call install_to,$(BIN))

# libpcap is built (once, cached under target/static) by the script; cargo
# links it because LIBPCAP_LIBDIR holds nothing but libpcap.a.
static:
	@if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx $(STATIC_TARGET); then \
		rustup target add $(STATIC_TARGET) || { \
		echo "cannot install the Rust target $(STATIC_TARGET); try: make static STATIC_LIBC=gnu"; exit 1; }; fi
	@libdir=$$(conf/build-static-libpcap.sh $(STATIC_LIBC) $(STATIC_PCAPDIR)) && \
	set -x && LIBPCAP_LIBDIR=$$libdir LIBPCAP_VER=$$(cat $$libdir/../VERSION) $(STATIC_FLAGS) \
		$(CARGO) build --profile $(STATIC_PROFILE) --target $(STATIC_TARGET)
	@# Static means no program interpreter and no shared library needed.
	@if readelf -lW $(STATIC_BIN) | grep -q INTERP || readelf -dW $(STATIC_BIN) | grep -q NEEDED; \
		then echo "$(STATIC_BIN) is not static:"; ldd $(STATIC_BIN); exit 1; fi
	@readelf -hW $(STATIC_BIN) | grep -q 'Type: *EXEC' || { echo "$(STATIC_BIN) is position-independent (static-pie)"; exit 1; }
	@echo "static binary: $(STATIC_BIN) ($$(stat -c %s $(STATIC_BIN)) bytes)"

# Where `make static` puts the file (for scripts: `$$(make -s static-path)`).
static-path:
	@echo $(STATIC_BIN)

install-static: static
	$(call install_to,$(STATIC_BIN))

# The integration tests with the static file checked too (CI: .ci/run).
test-static: static
	ARGUS_TOOL_STATIC=$(STATIC_BIN) $(CARGO) test --test integration static_build

demo: links
	@echo "== argus: the sample capture (tests/data/demo.pcap) -> $(TARGETDIR)/demo.argus"
	rm -f $(TARGETDIR)/demo.argus
	$(TARGETDIR)/argus -X -v -r tests/data/demo.pcap -w $(TARGETDIR)/demo.argus
	@echo; echo "== ra over it"
	TZ=UTC $(TARGETDIR)/ra -X -r $(TARGETDIR)/demo.argus
	@echo; echo "== TCP flows to web ports on 2021/03/14 between 09:00 and 11:00, chosen columns"
	TZ=UTC $(TARGETDIR)/ra -X -r $(TARGETDIR)/demo.argus -t 2021/03/14.09-11 -s stime dur saddr dport pkts bytes state - tcp and dst port \(80 or 443\)
	@echo; echo "== the same archive as CSV, first 5 records, with totals"
	TZ=UTC $(TARGETDIR)/ra -X -r $(TARGETDIR)/demo.argus -c , -N 5 -s stime proto saddr daddr bytes -A
	@echo; echo "== rasort: the five biggest flows"
	TZ=UTC $(TARGETDIR)/rasort -X -r $(TARGETDIR)/demo.argus -m bytes -N o5 -s stime proto saddr sport daddr dport bytes state
	@echo; echo "== racount: totals by protocol"
	TZ=UTC $(TARGETDIR)/racount -X -r $(TARGETDIR)/demo.argus -M proto
	@echo; echo "== ramon: the top 5 hosts (TopN) and the top 5 pairs (Matrix)"
	TZ=UTC $(TARGETDIR)/ramon -X -r $(TARGETDIR)/demo.argus --topn 5
	TZ=UTC $(TARGETDIR)/ramon -X -r $(TARGETDIR)/demo.argus -M Matrix -N 5

# Benchmark data (generated capture, archives) lives in DATA, default
# target/bench-data, built there when missing; `DATA=/work/bench-data` reuses.
DATA ?= $(if $(BENCH_DATA),$(BENCH_DATA),target/bench-data)

# argus -r against Debian's argus on a large generated capture (CPU time,
# peak memory, identical records).
bench-argus: build
	benches/bench-argus.sh $(DATA)

test:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings
	$(CARGO) test

fmt:
	$(CARGO) fmt --all

lint:
	$(CARGO) clippy --all-targets -- -D warnings

clean:
	$(CARGO) clean

# Side by side with Debian's Argus 3.0.8.2: CPU time and peak RSS of
# argus -r and the clients, ratios, PASS/FAIL against the goals.
bench-compare:
	benches/compare.sh $(DATA)

# Load tests: millions of flows through argus, a 10 M-record archive
# through the clients, 50 remote clients, each in a stated memory budget.
bench-load: build
	benches/load.sh $(DATA)
