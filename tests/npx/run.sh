#!/usr/bin/env bash
# hookproof-sender as a JS developer gets it: `scripts/pack.sh` writes the tarballs
# (hookproof, hookproof-sender, this platform's @hookproof/sender-<platform> with a release
# binary), they are installed from those files only (npm --offline, a private cache) into
# an empty project in a temporary folder outside the repository, and from there:
# `npx hookproof-sender --version`; `serve` serving the dashboard with no checkout; the
# CommonJS entry; the .d.mts (deno check); and the examples of mock-sender/npm/examples,
# an Express receiver tested end to end with node:test and with vitest.
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
cd "$ROOT"

HERE="$ROOT/tests/npx"
EXAMPLES="$ROOT/mock-sender/npm/examples"
DENO="$BIN/deno"
ensure_node_modules
export DO_NOT_TRACK=1 DENO_NO_UPDATE_CHECK=1 DENO_NO_PROMPT=1 NO_COLOR=1
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

bash scripts/pack.sh

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
export npm_config_cache="$TMP/npm-cache" npm_config_offline=true

passed=0
failed=0
failures=()
check() { # NAME SECONDS CMD...: runs CMD (at most SECONDS), counts it
  local name=$1 limit=$2 rc=0
  shift 2
  timeout -k 5 "$limit" "$@" >"$TMP/out" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    printf '  ok   %s: %s\n' "$name" "$(grep -v '^[[:space:]]*$' "$TMP/out" | tail -n1)" >&2
  else
    failed=$((failed + 1))
    failures+=("$name")
    printf '  FAIL %s (exit %s):\n' "$name" "$rc" >&2
    sed 's/^/       /' "$TMP/out" >&2
  fi
}

log "an empty project: npm install --offline of target/npm/*.tgz"
APP="$TMP/app"
mkdir "$APP"
printf '{ "name": "hookproof-sender-npx-scratch", "version": "0.0.0", "private": true }\n' >"$APP/package.json"
(cd "$APP" && timeout -k 5 120 npm install --no-audit --no-fund --loglevel=error "$ROOT"/target/npm/*.tgz)
for p in hookproof hookproof-sender @hookproof/sender-linux-x64; do
  [ -f "$APP/node_modules/$p/package.json" ] || { echo "npx: the install did not create node_modules/$p" >&2; exit 1; }
done
# The examples' own dependencies, Express and vitest, from the repository's node_modules
# (no registry): linked, as a project's dev dependencies.
ln -s "$ROOT/node_modules/express" "$APP/node_modules/express"
ln -s "$ROOT/node_modules/vitest" "$APP/node_modules/vitest"
cp "$EXAMPLES"/*.mjs "$HERE/check.cjs" "$HERE/check.ts" "$HERE/serve.mjs" "$APP/"
cp "$ROOT/www/dashboard.html" "$TMP/expected-dashboard.html"

cd "$APP"
check "npx hookproof-sender --version" 20 npx --no-install hookproof-sender --version
# Elsewhere: a folder with nothing in it, the repository out of reach of relative paths.
mkdir "$TMP/elsewhere"
check "serve (dashboard, wasm, SIGTERM)" 30 bash -c "cd '$TMP/elsewhere' && PATH='$APP/node_modules/.bin':\$PATH node '$APP/serve.mjs' '$TMP/expected-dashboard.html'"
check "require('hookproof-sender')" 30 "$NODE" check.cjs
check "deno check (index.d.mts)" 60 "$DENO" check --node-modules-dir=manual --no-remote check.ts
check "example: node:test" 60 "$NODE" --test --test-reporter=spec node-test.test.mjs
check "example: vitest" 90 "$NODE" node_modules/vitest/vitest.mjs run vitest.test.mjs

if [ "$failed" -gt 0 ]; then
  printf 'npx: FAILED: %s\n' "${failures[@]}" >&2
  echo "npx: $passed passed, $failed failed"
  exit 1
fi
echo "npx: $passed passed, $failed failed"
