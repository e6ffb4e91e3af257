#!/usr/bin/env bash
# Every test of the project, from a fresh machine: installs what is missing (wasm32
# target, pinned wasm-bindgen-cli, npm dev dependencies, the Node 24 and Bun test runtimes,
# Chromium), then runs the Rust tests, builds pkg/, and runs the JS suites across runtimes.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ensure_node_modules

ensure_wasm_target

log "prettier + eslint (JS) / cargo fmt / clippy / doc"
"$NODE" "$ROOT/node_modules/prettier/bin/prettier.cjs" --check . --log-level warn
"$NODE" "$ROOT/node_modules/eslint/bin/eslint.js" --max-warnings 0 .
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
# The crate without its default features, and the npm package's two wasm modules (the
# verify module is no_std).
cargo clippy -p hookproof --no-default-features --quiet -- -D warnings
cargo clippy -p hookproof --target wasm32-unknown-unknown --no-default-features --features npm --quiet -- -D warnings
cargo clippy -p hookproof --target wasm32-unknown-unknown --no-default-features --features npm,tools --quiet -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc -p hookproof -p hookproof-sender --no-deps --quiet

log "cargo test"
cargo test --workspace --quiet

bash scripts/build-pkg.sh

log "node:test suites (Node $("$NODE" --version))"
"$NODE" --test --test-reporter=dot tests/node/

# Each further suite is a tests/<name>/run.sh; they run in this order.
for suite in runtimes workerd wrangler pack next sender npx demo replay probe snippets www bench; do
  if [ -f "tests/$suite/run.sh" ]; then
    log "suite: $suite"
    bash "tests/$suite/run.sh"
  fi
done
log "all tests passed"
