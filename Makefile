# argus-tool: build, test, demo, install.
# `make demo` runs the main job on the sample data in the repo; `make test` runs every test.

CARGO    ?= cargo
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
PROFILE  ?= release
TARGETDIR = target/$(PROFILE)
BIN       = $(TARGETDIR)/argus-tool
ROLES     = $(shell cat argv0-links)

.PHONY: all build test demo links install clean fmt lint bench-compare

all: build

build:
	$(CARGO) build --profile $(PROFILE)

# Role symlinks next to the built binary (target/release/ra -> argus-tool, ...).
links: build
	@for r in $(ROLES); do ln -sf argus-tool $(TARGETDIR)/$$r; done
	@echo "links made in $(TARGETDIR): $(ROLES)"

install: build
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/argus-tool
	@for r in $(ROLES); do ln -sf argus-tool $(DESTDIR)$(BINDIR)/$$r; done

demo: links
	@echo "== ra over the sample archive (tests/data/demo.argus)"
	TZ=UTC $(TARGETDIR)/ra -X -r tests/data/demo.argus
	@echo; echo "== TCP flows to web ports on 2021/03/14 between 09:00 and 11:00, chosen columns"
	TZ=UTC $(TARGETDIR)/ra -X -r tests/data/demo.argus -t 2021/03/14.09-11 -s stime dur saddr dport pkts bytes state - tcp and dst port \(80 or 443\)
	@echo; echo "== the same archive as CSV, first 5 records, with totals"
	TZ=UTC $(TARGETDIR)/ra -X -r tests/data/demo.argus -c , -N 5 -s stime proto saddr daddr bytes -A

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

# CPU time of `ra -r big.argus` against Debian's ra (see benches/compare.sh;
# BENCH_DATA defaults to target/bench-data, built there when missing).
bench-compare:
	benches/compare.sh $(BENCH_DATA)
