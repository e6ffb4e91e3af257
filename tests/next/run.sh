#!/usr/bin/env bash
# hookproof/next in a real Next.js app: the packed package installed into a scratch app
# (tests/artifacts/next-app-*: inside the repository, so that Next resolves `next` and
# `react` from its node_modules), `next build` with Turbopack and with webpack, then
# `next start` on 127.0.0.1 fed signed, forged and re-serialized deliveries (node:test,
# the machine's Node).
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
cd "$ROOT"

ensure_node_modules
[ -f "$ROOT/pkg/gen/hookproof_bg.wasm" ] && [ -f "$ROOT/pkg/dist/index.cjs" ] || bash "$ROOT/scripts/build-pkg.sh"
export NEXT_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

timeout -k 10 420 "$NODE" --test --test-timeout=400000 --test-reporter=spec tests/next/next.test.mjs
