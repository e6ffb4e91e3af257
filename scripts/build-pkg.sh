#!/usr/bin/env bash
# Builds the npm package in pkg/: the verifier crate to wasm32, wasm-bindgen (pinned to
# Cargo.lock's version), wasm-opt (npm binaryen), and the CommonJS entry (esbuild).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_wasm_target
ensure_wasm_bindgen
ensure_node_modules

log "cargo build (wasm32, release)"
(cd "$ROOT" && cargo build --quiet -p hookproof --release --target wasm32-unknown-unknown --no-default-features)

GEN="$ROOT/pkg/gen"
rm -rf "$GEN" "$ROOT/pkg/dist"
wasm-bindgen --target web --no-typescript --out-dir "$GEN" --out-name hookproof \
  "$ROOT/target/wasm32-unknown-unknown/release/hookproof.wasm"

log "wasm-opt"
"$BIN/wasm-opt" -O3 --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue --enable-simd \
  "$GEN/hookproof_bg.wasm" -o "$GEN/hookproof_bg.wasm"
# .mjs: the glue is an ES module whatever package.json says.
mv "$GEN/hookproof.js" "$GEN/hookproof.mjs"

log "CommonJS entry"
"$BIN/esbuild" "$ROOT/pkg/src/cjs.mjs" --bundle --platform=node --format=cjs \
  --outfile="$ROOT/pkg/dist/index.cjs" --log-level=warning --log-override:empty-import-meta=silent
# The integrations (hookproof/express, ...): their `#hookproof` import becomes
# require("./index.cjs"), so that they share dist/index.cjs's one wasm instance.
"$BIN/esbuild" "$ROOT"/pkg/src/{express,fastify,hono,next}.mjs --bundle --platform=node --format=cjs \
  --outdir="$ROOT/pkg/dist" --out-extension:.js=.cjs --alias:#hookproof=./index.cjs --external:./index.cjs \
  --log-level=warning

log "pkg/ built: $(wc -c < "$GEN/hookproof_bg.wasm") bytes of wasm"
