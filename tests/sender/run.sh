#!/usr/bin/env bash
# The real hookproof-sender binary delivers events of every profile (and to a Slack-type
# webhook) to a node:http receiver that verifies each attempt with the npm package; the
# JS client of mock-sender/npm/hookproof-sender drives it (client.test.mjs; its inboxes:
# client-inbox.test.mjs).
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
cd "$ROOT"

[ -f pkg/gen/hookproof_bg.wasm ] || bash scripts/build-pkg.sh
log "building hookproof-sender (debug)"
cargo build --quiet -p hookproof-sender
HOOKPROOF_SENDER="$ROOT/target/debug/hookproof-sender" HOOKPROOF_SENDER_BIN="$ROOT/target/debug/hookproof-sender" "$NODE" --test --test-reporter=spec tests/sender/
