# argus-tool: build, test, demo, install.
# `make demo` runs the main job on the sample data in the repo; `make test` runs every test.

CARGO    ?= cargo
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
PROFILE  ?= release
TARGETDIR = target/$(PROFILE)
BIN       = $(TARGETDIR)/argus-tool
ROLES     = $(shell cat argv0-links)

.PHONY: all build test demo links install clean fmt lint bench-argus bench-compare

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
	@echo "== argus: the sample capture (tests/data/demo.pcap) -> $(TARGETDIR)/demo.argus"
	rm -f $(TARGETDIR)/demo.argus
	$(TARGETDIR)/argus -X -v -r tests/data/demo.pcap -w $(TARGETDIR)/demo.argus
	@echo "== ra over it"
	TZ=UTC $(TARGETDIR)/ra -X -r $(TARGETDIR)/demo.argus

# argus -r against Debian's argus on a large generated capture (CPU time,
# peak memory, identical records); DATA defaults to target/bench-data.
bench-argus: build
	scripts/bench-argus.sh $(DATA)

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
