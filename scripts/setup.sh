#!/usr/bin/env bash
# Installs what the project needs, pinned, idempotent, and fast when everything is present.
#   scripts/setup.sh serve   -> toolchain for building and serving the app
#   scripts/setup.sh test    -> the above, plus Chromium and ChromeDriver for the browser tests
# Versions are the ones verified together in ../shared/toolchain.md.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130   # must equal wasm-bindgen in Cargo.lock (pinned with "=")
BINARYEN_VERSION=132           # npm package binaryen@132.0.0, see package.json
what=${1:-serve}
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
have_version() { command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -q "$2"; }

# Rust target for the browser.
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  step "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# Cargo-installed tools. Their own release profiles use fat LTO, which costs ~15 min on 2 cores;
# thin-free builds are fine for build tools.
fast_install() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install --quiet "$@"
}
if ! have_version trunk "trunk $TRUNK_VERSION"; then
  step "cargo install trunk $TRUNK_VERSION"
  fast_install trunk --version "$TRUNK_VERSION" --locked
fi
if ! have_version wasm-bindgen "wasm-bindgen $WASM_BINDGEN_VERSION"; then
  step "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Not --locked: its lockfile wants a webpki-roots release the registry lacks (toolchain.md §1.6).
  fast_install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# Node.js tools (package.json, pinned): binaryen (wasm-opt 132) for Trunk, esbuild for the
# post-build hook (minifies the page's JS glue), playwright-core and axe-core for the e2e tests.
if ! command -v npm >/dev/null 2>&1; then
  step "apt-get install nodejs npm"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
fi
if ! have_version wasm-opt "version $BINARYEN_VERSION" || [ ! -d node_modules/playwright-core ] \
   || ! cmp -s package-lock.json node_modules/.package-lock.json 2>/dev/null; then
  step "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Trunk builds offline: make sure every crate is in the local registry.
if [ ! -f target/.fetched ] || [ Cargo.lock -nt target/.fetched ]; then
  step "cargo fetch"
  cargo fetch --locked
  mkdir -p target && touch target/.fetched
fi

if [ "$what" = test ]; then
  # Chromium for the browser tests; Noto CJK so that screenshots show Japanese, not boxes.
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] \
     || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
    step "apt-get install chromium chromium-driver fonts-noto-cjk"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk
  fi
fi
