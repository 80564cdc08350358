# The two entry points are `make serve` and `make test` (see README.md). Everything else is a
# building block of those two.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export CHROMEDRIVER ?= /usr/bin/chromedriver
export TRUNK_SKIP_VERSION_CHECK := true

# Pure crates also build for the browser; the app builds only for it.
WASM := --target wasm32-unknown-unknown
PURE := -p echonet -p skstack -p logdecode -p broute -p sim -p export -p redact -p j11 -p vdevice
# The end-to-end rig's bundle: the shipped one plus the window hooks of `--features e2e-hooks`.
E2E_DIST := target/dist-e2e

.PHONY: serve test setup setup-test dist dist-e2e fmt-check clippy boundaries test-host test-wasm e2e fuzz bench bench-browser

## make serve: install what is missing, then serve the app on http://127.0.0.1:8080
serve: setup
	trunk serve --release

## make test: install what the tests need, then run every check and test
test: setup-test fmt-check boundaries clippy test-host test-wasm e2e
	@echo "make test: all checks passed"

setup:
	@scripts/setup.sh serve

setup-test:
	@scripts/setup.sh test

fmt-check:
	cargo fmt --all -- --check

# Only src/serial/ and src/platform/ may touch web-sys or js-sys.
boundaries:
	@! grep -rnE '\b(web_sys|js_sys)\b' src --include='*.rs' | grep -vE '^src/(serial|platform)/' \
	  || { echo "web-sys/js-sys outside src/serial/ and src/platform/ (above)"; exit 1; }

clippy:
	cargo clippy --workspace --exclude broute-app --all-targets --locked -- -D warnings
	cargo clippy $(WASM) -p broute-app --all-targets --locked -- -D warnings
	cargo clippy $(WASM) -p broute-app --lib --features bench-hooks --locked -- -D warnings
	cargo clippy $(WASM) -p broute-app --lib --features e2e-hooks --locked -- -D warnings
	cargo clippy $(WASM) -p broute-worker --all-targets --features e2e-hooks --locked -- -D warnings
	cargo clippy $(WASM) $(PURE) --lib --locked -- -D warnings

test-host:
	cargo test --workspace --exclude broute-app --locked

# wasm-bindgen-test in headless Chromium (runner and CHROMEDRIVER set in .cargo/config.toml / above).
test-wasm:
	cargo test $(WASM) -p broute-app --locked

dist:
	trunk build --release

dist-e2e:
	trunk build --release --features e2e-hooks --dist $(E2E_DIST)

e2e: dist-e2e
	E2E_DIST=$(CURDIR)/$(E2E_DIST) node --test --test-concurrency=1 tests/e2e/

fuzz:
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	@cargo +nightly fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz --locked
	fuzz/run.sh $${FUZZ_SECONDS:-60}

bench:
	cargo bench --workspace --exclude broute-app

# Browser figures of the release bundle (first-load transfer, time to interactive, chart redraw
# and memory); builds nothing: run `make dist` first. Printed, never asserted.
bench-browser: dist
	trunk build --release --features bench-hooks --dist target/dist-bench
	BENCH_HOOKS_DIST=$(CURDIR)/target/dist-bench node tests/e2e/bench.mjs
