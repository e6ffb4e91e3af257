#!/usr/bin/env bash
# Browser suite: Debian's Chromium driven by playwright-core (node:test, the machine's
# Node). playground.test.mjs serves the repository root from a loopback static server
# (static-server.mjs) and drives www/index.html; dashboard.test.mjs, inbox.test.mjs and
# dashboard-inspect.test.mjs start target/debug/hookproof-sender on 127.0.0.1:0 (sender.mjs)
# with a loopback receiver and drive the dashboard it serves at / (inbox.test.mjs: the Inbox
# tab and "Send an event"; dashboard-inspect.test.mjs: the webhook forms, an attempt's
# request and answer, and "Copy as curl" run by bash's curl; dashboard-live.test.mjs: the
# lists updated in place while events stream in, the two live regions, the retry schedule
# reset; links.test.mjs: the address's links on both tabs, credentials in URLs masked).
# Screenshots go to tests/artifacts/ (git-ignored).
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
cd "$ROOT"

ensure_node_modules
ensure_chromium
[ -f "$ROOT/pkg/gen/hookproof_bg.wasm" ] || bash "$ROOT/scripts/build-pkg.sh"
log "building hookproof-sender for the dashboard test"
cargo build --quiet -p hookproof-sender

log "$(/usr/bin/chromium --version 2>/dev/null), playwright-core $("$NODE" -p 'require("playwright-core/package.json").version')"
timeout -k 10 300 "$NODE" --test --test-concurrency=1 --test-timeout=120000 --test-reporter=spec \
  tests/www/playground.test.mjs tests/www/dashboard.test.mjs tests/www/inbox.test.mjs \
  tests/www/dashboard-inspect.test.mjs tests/www/dashboard-live.test.mjs tests/www/links.test.mjs
log "screenshots: tests/artifacts/playground*.png, tests/artifacts/dashboard*.png"
