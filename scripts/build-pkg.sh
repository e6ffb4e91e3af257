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

  # Target features marked disallowed before wasm-bindgen reads them (rustc's own code
  # uses neither):
  # - multivalue (rustc's default since 1.82): wasm-bindgen returns strings and results
  #   through multi-value shims, and V8 has no generic JS-to-wasm wrapper for multi-value
  #   signatures; it compiled one per signature with TurboFan when compiling the module
  #   (~4 ms of a 7 ms cold start, issue 5, BENCHMARKS.md). Off, wasm-bindgen passes a
  #   return pointer instead.
  # - reference-types, for the verify module: with it wasm-bindgen imports a function to
  #   set up its externref table even when nothing uses it, and the first imported
  #   function costs ~0.7 ms of compile (V8 compiles a wrapper for each import). Without
  #   it the verify module imports nothing (verifier/src/wasm.rs). The tools module passes
  #   JS objects, so keeps it.
  disallow=(multivalue)
  [ "$variant" = hookproof ] && disallow+=(reference-types)
  node - "$OUT/hookproof.wasm" "$OUT/$variant.patched.wasm" "${disallow[@]}" <<'JS'
const fs = require("node:fs");
const [from, to, ...features] = process.argv.slice(2);
const bytes = fs.readFileSync(from);
for (const feature of features) {
  const entry = Buffer.concat([Buffer.from([0x2b, feature.length]), Buffer.from(feature)]); // "+", length, name
  const at = bytes.indexOf(entry);
  if (at < 0 || bytes.indexOf(entry, at + 1) >= 0) throw new Error(`build-pkg: expected one +${feature} target feature`);
  bytes[at] = 0x2d; // "-"
}
fs.writeFileSync(to, bytes);
JS
  wasm-bindgen --target web --no-typescript --out-dir "$GEN" --out-name "$variant" "$OUT/$variant.patched.wasm"
  if [ "$variant" = hookproof ]; then
    node -e 'const m = new WebAssembly.Module(require("node:fs").readFileSync(process.argv[1]));
      const i = WebAssembly.Module.imports(m).map((i) => i.name);
      if (i.length) throw new Error(`build-pkg: the verify module must import nothing, imports ${i}`);' "$GEN/${variant}_bg.wasm"
  fi

  log "wasm-opt $variant"
  enable=(bulk-memory nontrapping-float-to-int sign-ext mutable-globals simd)
  [ "$variant" = hookproof_tools ] && enable+=(reference-types)
  "$BIN/wasm-opt" -O3 --strip-debug --strip-producers "${enable[@]/#/--enable-}" \
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
