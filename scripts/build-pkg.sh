#!/usr/bin/env bash
# Builds the npm package in pkg/: the verifier crate to wasm32, wasm-bindgen (pinned to
# Cargo.lock's version), wasm-opt (npm binaryen), and the CommonJS entry (esbuild).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_wasm_target
ensure_wasm_bindgen
ensure_node_modules

GEN="$ROOT/pkg/gen"
rm -rf "$GEN" "$ROOT/pkg/dist"
mkdir -p "$GEN"
OUT="$ROOT/target/wasm32-unknown-unknown/release"

# Two modules from the one crate: hookproof (verify; what a receiver loads at import) and
# hookproof_tools (with the `tools` feature: also sign and diagnose, instantiated on their
# first call; browsers load only this one). Issue 5: the receiver's module is ~35 % smaller
# and compiles faster.
for variant in hookproof hookproof_tools; do
  features=()
  [ "$variant" = hookproof_tools ] && features=(--features tools)
  log "cargo build $variant (wasm32, release)"
  (cd "$ROOT" && cargo build --quiet -p hookproof --release --target wasm32-unknown-unknown --no-default-features "${features[@]}")

  # wasm-bindgen returns strings and results through multi-value shims when the module's
  # target_features section lists multivalue (rustc's default since 1.82). V8 has no
  # generic JS-to-wasm wrapper for multi-value signatures and compiles one per signature
  # with TurboFan when the module is compiled: that was ~4 ms of a 7 ms cold start (issue 5,
  # BENCHMARKS.md). Marking the feature disallowed makes wasm-bindgen pass a return pointer
  # instead; rustc's own code does not use multi-value returns (C ABI).
  node - "$OUT/hookproof.wasm" "$OUT/$variant.no-multivalue.wasm" <<'JS'
const fs = require("node:fs");
const [from, to] = process.argv.slice(2);
const bytes = fs.readFileSync(from);
const entry = Buffer.concat([Buffer.from([0x2b, 10]), Buffer.from("multivalue")]); // "+", length, name
const at = bytes.indexOf(entry);
if (at < 0 || bytes.indexOf(entry, at + 1) >= 0) throw new Error("build-pkg: expected one +multivalue target feature");
bytes[at] = 0x2d; // "-"
fs.writeFileSync(to, bytes);
JS
  wasm-bindgen --target web --no-typescript --out-dir "$GEN" --out-name "$variant" "$OUT/$variant.no-multivalue.wasm"

  log "wasm-opt $variant"
  "$BIN/wasm-opt" -O3 --strip-debug --strip-producers \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-simd \
    "$GEN/${variant}_bg.wasm" -o "$GEN/${variant}_bg.wasm"
  # .mjs: the glue is an ES module whatever package.json says.
  mv "$GEN/$variant.js" "$GEN/$variant.mjs"
done

log "CommonJS entry"
"$BIN/esbuild" "$ROOT/pkg/src/cjs.mjs" --bundle --platform=node --format=cjs \
  --outfile="$ROOT/pkg/dist/index.cjs" --log-level=warning --log-override:empty-import-meta=silent
# The integrations (hookproof/express, ...): their `#hookproof` import becomes
# require("./index.cjs"), so that they share dist/index.cjs's one wasm instance.
"$BIN/esbuild" "$ROOT"/pkg/src/{express,fastify,hono,next}.mjs --bundle --platform=node --format=cjs \
  --outdir="$ROOT/pkg/dist" --out-extension:.js=.cjs --alias:#hookproof=./index.cjs --external:./index.cjs \
  --log-level=warning

log "pkg/ built: $(wc -c < "$GEN/hookproof_bg.wasm") bytes of wasm (+ $(wc -c < "$GEN/hookproof_tools_bg.wasm") with sign and diagnose)"
