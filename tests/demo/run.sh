#!/usr/bin/env bash
# The README's first command, `bash scripts/demo.sh`, as a new user runs it: it exits 0,
# every event it sends is verified by its Node receiver, and the delivery the receiver
# fails on purpose is retried once and then accepted. Runs after the npx suite, whose
# scripts/pack.sh already built the release sender the demo uses.
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
cd "$ROOT"

OUT="$(mktemp)"
trap 'rm -f "$OUT"' EXIT
if ! timeout -k 10 600 bash scripts/demo.sh >"$OUT" 2>&1; then
  cat "$OUT"
  echo "demo: scripts/demo.sh failed" >&2
  exit 1
fi
expect() {
  grep -Eq "$1" "$OUT" || { cat "$OUT"; echo "demo: no line matching: $1" >&2; exit 1; }
}
expect '^3/3 deliveries verified and accepted; 4 attempts in all\.$'
expect 'answering 500 on purpose'
expect 'attempt 2: 204 in [0-9]+ ms'
log "demo: 3/3 deliveries verified, one retried"
