#!/usr/bin/env bash
# The main job, as a demo: hookproof-sender (a local webhook provider) delivers signed
# events to a Node receiver that verifies them with the hookproof npm package. The
# receiver fails its first delivery on purpose, so one retry is shown too.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

bash scripts/build-pkg.sh
log "building hookproof-sender"
cargo build --quiet --release -p hookproof-sender
SENDER="$ROOT/target/release/hookproof-sender"

WORK="$(mktemp -d)"
cleanup() { kill "${PIDS[@]}" 2>/dev/null || true; rm -rf "$WORK"; }
PIDS=()
trap cleanup EXIT

# Start the sender on an ephemeral loopback port; retries 100x faster than real time.
"$SENDER" serve --addr 127.0.0.1:0 --memory --time-scale 0.01 >"$WORK/sender.out" 2>"$WORK/sender.log" &
PIDS+=($!)
for _ in $(seq 100); do grep -q "listening on" "$WORK/sender.out" 2>/dev/null && break; sleep 0.1; done
API="$(grep -o 'http://[0-9.:]*' "$WORK/sender.out" | head -1)"
[ -n "$API" ] || { cat "$WORK/sender.log"; echo "sender did not start" >&2; exit 1; }
log "sender at $API (dashboard: $API/)"

"$NODE" scripts/demo.mjs "$API"
