#!/usr/bin/env bash
# The READMEs' code blocks as tested files: each block is its source under examples/ (or
# verifier/examples/), byte for byte, and shell blocks name only existing sender flags
# (readme.test.mjs); the sources type-check under `tsc --strict` (JavaScript with
# checkJs), the Worker with wrangler's resolution, deno.ts under `deno check`; and they run
# (examples.test.mjs: servers on 127.0.0.1 against deliveries signed by the package; the
# Rust snippet with `cargo run --example readme`).
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
cd "$ROOT"

ensure_node_modules
[ -f "$ROOT/pkg/gen/hookproof_bg.wasm" ] && [ -f "$ROOT/pkg/dist/index.cjs" ] || bash "$ROOT/scripts/build-pkg.sh"
log "building hookproof-sender (debug)"
cargo build --quiet -p hookproof-sender
ensure_node24
export NODE24 DO_NOT_TRACK=1 DENO_NO_UPDATE_CHECK=1 DENO_NO_PROMPT=1 NO_COLOR=1

log "snippets: tsc --strict (examples/, examples/cloudflare-worker/)"
timeout -k 5 120 "$BIN/tsc" -p examples
timeout -k 5 120 "$BIN/tsc" -p examples/cloudflare-worker
# Sloppy imports: node_modules/hookproof is a link to pkg/ here (the root package.json's
# "file:pkg"), which Deno reads as local files, where index.d.mts's "./index.js" does not
# map to index.d.ts as it does inside an installed package (tests/pack checks that one).
log "snippets: deno check examples/deno.ts"
timeout -k 5 120 "$BIN/deno" check --quiet --node-modules-dir=manual --no-remote --unstable-sloppy-imports examples/deno.ts
log "snippets: cargo run -p hookproof --example readme"
timeout -k 5 300 cargo run --quiet -p hookproof --example readme >/dev/null
log "snippets: the READMEs' blocks, and the examples run"
timeout -k 5 240 "$NODE" --test --test-reporter=dot tests/snippets/
log "snippets suite passed"
