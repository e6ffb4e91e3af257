#!/usr/bin/env bash
# The package as users get it: `npm pack` of pkg/ into a temp dir, the tarball's file
# list checked, installed offline into a scratch project, then from that project:
# require("hookproof") and import "hookproof" under the machine's Node, Node 24 and Bun;
# Deno through node_modules (bare "hookproof", "npm:hookproof", and require); and
# `deno check` of a TypeScript file against the published index.d.ts; and one-file esbuild
# bundles (ESM, CommonJS) that must verify, sign and diagnose with no file beside them.
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
cd "$ROOT"

DENO="$BIN/deno"
HERE="$ROOT/tests/pack"

ensure_node_modules
ensure_node24
ensure_bun
[ -f "$ROOT/pkg/gen/hookproof_bg.wasm" ] && [ -f "$ROOT/pkg/dist/index.cjs" ] || bash "$ROOT/scripts/build-pkg.sh"
export DO_NOT_TRACK=1 DENO_NO_UPDATE_CHECK=1 DENO_NO_PROMPT=1 NO_COLOR=1
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
CACHE="$TMP/npm-cache" # a private cache: nothing read from or left in the user's

passed=0
failed=0
failures=()
check() { # NAME CMD...: runs CMD (at most 30 s), counts it
  local name=$1 rc=0
  shift
  if declare -F "$1" >/dev/null; then
    "$@" >"$TMP/out" 2>&1 || rc=$? # a shell function here: no process to time out
  else
    timeout -k 5 30 "$@" >"$TMP/out" 2>&1 || rc=$?
  fi
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    printf '  ok   %s: %s\n' "$name" "$(tail -n1 "$TMP/out")" >&2
  else
    failed=$((failed + 1))
    failures+=("$name")
    printf '  FAIL %s (exit %s):\n' "$name" "$rc" >&2
    sed 's/^/       /' "$TMP/out" >&2
  fi
}

log "npm pack pkg/"
mkdir "$TMP/pack"
(cd "$ROOT/pkg" && npm pack --pack-destination "$TMP/pack" --cache "$CACHE" --silent >/dev/null)
tarball="$(ls "$TMP/pack"/hookproof-*.tgz)"
log "packed $(basename "$tarball"): $(wc -c <"$tarball") bytes"

# What is in it: everything the entries need, nothing from the build or the repo.
tar tzf "$tarball" | sed 's|^package/||' | sort >"$TMP/files"
check_contents() {
  local f missing=0
  for f in package.json index.d.ts index.d.mts dist/index.cjs gen/hookproof.mjs gen/hookproof_bg.wasm \
    gen/hookproof_bg.wasm.mjs gen/hookproof_tools.mjs gen/hookproof_tools_bg.wasm \
    gen/hookproof_tools_bg.wasm.mjs gen/schemes.mjs gen/schemes.d.mts events.d.ts catalog.d.ts src/api.mjs src/input.mjs src/event-type.mjs src/body.mjs src/host.mjs src/wasm.mjs src/node.mjs src/workerd.mjs \
    src/browser.mjs LICENSE-MIT LICENSE-APACHE; do
    grep -qx "$f" "$TMP/files" || { echo "missing from the tarball: $f"; missing=1; }
  done
  if grep -vE '^(package\.json|(index|events|catalog|express|fastify|hono|next|stripe|redis|durable-object)\.d\.m?ts|README\.md|LICENSE.*|dist/[^/]+\.cjs|gen/hookproof(_tools)?(\.mjs|_bg\.wasm|_bg\.wasm\.mjs)|gen/schemes\.(mjs|d\.mts)|src/[^/]+\.mjs)$' "$TMP/files"; then
    echo "^ unexpected files in the tarball"
    missing=1
  fi
  [ "$missing" -eq 0 ] && echo "$(wc -l <"$TMP/files") files, as expected"
}
check "tarball contents" check_contents

log "scratch project: npm install --offline"
APP="$TMP/app"
mkdir "$APP"
cp "$tarball" "$APP/"
printf '{ "name": "hookproof-pack-scratch", "version": "0.0.0", "private": true }\n' >"$APP/package.json"
cp "$HERE/check.cjs" "$HERE/check.mjs" "$HERE/check.ts" "$HERE/bundled.mjs" "$APP/"
sed -e 's/from "hookproof"/from "npm:hookproof"/' -e 's/import\.meta\.resolve("hookproof")/import.meta.resolve("npm:hookproof")/' \
  "$HERE/check.mjs" >"$APP/check-npm.mjs"
(cd "$APP" && timeout -k 5 60 npm install --offline --no-audit --no-fund --cache "$CACHE" --loglevel=error \
  "./$(basename "$tarball")" >/dev/null)
[ -f "$APP/node_modules/hookproof/package.json" ] || { echo "pack: the install did not create node_modules/hookproof" >&2; exit 1; }

cd "$APP"
check "node $("$NODE" --version) require" "$NODE" check.cjs
check "node $("$NODE" --version) import" "$NODE" check.mjs
check "node $("$NODE24" --version) require" "$NODE24" check.cjs
check "node $("$NODE24" --version) import" "$NODE24" check.mjs
check "bun require" "$BUN" check.cjs
check "bun import" "$BUN" check.mjs
DENO_FLAGS=(--node-modules-dir=manual --no-remote --allow-read=.)
check "deno import (bare, node_modules)" "$DENO" run "${DENO_FLAGS[@]}" check.mjs
check "deno import npm:hookproof" "$DENO" run "${DENO_FLAGS[@]}" check-npm.mjs
check "deno require" "$DENO" run "${DENO_FLAGS[@]}" check.cjs
check "deno check (index.d.mts via exports)" "$DENO" check --node-modules-dir=manual --no-remote check.ts
# tsc too, strict and checking the package's declarations (no skipLibCheck), where neither
# optional peer of the event types (stripe, @octokit/openapi-webhooks-types) is installed;
# as an ES module (check.mts), Node's types from the repository.
cp check.ts check.mts
printf '{ "compilerOptions": { "strict": true, "noEmit": true, "module": "nodenext", "moduleResolution": "nodenext", "lib": ["es2022", "dom"], "typeRoots": ["%s"], "types": ["node"], "skipLibCheck": false }, "files": ["check.mts"] }\n' \
  "$ROOT/node_modules/@types" >tsconfig.json
check "tsc (index.d.mts via exports, no optional peers)" "$BIN/tsc" -p tsconfig.json
# One-file bundles (ESM and CommonJS), run from a folder with no node_modules.
mkdir "$TMP/bundled"
for format in esm cjs; do
  out="$TMP/bundled/app.$([ "$format" = esm ] && echo mjs || echo cjs)"
  check "esbuild bundle ($format)" "$BIN/esbuild" bundled.mjs --bundle --platform=node --format="$format" \
    --outfile="$out" --log-level=error
  check "esbuild bundle ($format) runs alone" "$NODE" "$out"
done

if [ "$failed" -gt 0 ]; then
  printf 'pack: FAILED: %s\n' "${failures[@]}" >&2
  echo "pack: $passed passed, $failed failed"
  exit 1
fi
echo "pack: $passed passed, $failed failed"
