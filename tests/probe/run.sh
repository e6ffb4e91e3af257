#!/usr/bin/env bash
# `hookproof-sender probe` against Node receivers built on the npm package: one that
# verifies every request passes every check (exit 0) for several profiles; one that
# answers 200 to everything is caught (exit 1, the failed must-reject rows named); a v1a
# (Ed25519) run.
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
cd "$ROOT"

[ -f "$ROOT/pkg/gen/hookproof_bg.wasm" ] || bash "$ROOT/scripts/build-pkg.sh"
log "building hookproof-sender (debug)"
cargo build --quiet -p hookproof-sender
SENDER="$ROOT/target/debug/hookproof-sender"
SECRET="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
export HOOKPROOF_SECRET="$SECRET"
WORK="$(mktemp -d)"
RECEIVER_PID=""

stop_receiver() {
  if [ -n "$RECEIVER_PID" ]; then
    kill "$RECEIVER_PID" 2>/dev/null || true
    wait "$RECEIVER_PID" 2>/dev/null || true
    RECEIVER_PID=""
  fi
}
trap 'stop_receiver; rm -rf "$WORK"' EXIT

# start_receiver MODE PROFILE: sets PORT.
start_receiver() {
  local out="$WORK/receiver-$1-$2.out"
  # Made here: the background job opens it only when it runs, maybe after the first read.
  : >"$out"
  PROBE_MODE="$1" PROBE_PROFILE="$2" timeout 120 "$NODE" tests/probe/receiver.mjs >"$out" &
  RECEIVER_PID=$!
  PORT=""
  for _ in $(seq 1 100); do
    PORT="$(sed -n 's/^listening \([0-9]*\)$/\1/p' "$out")"
    [ -n "$PORT" ] && return 0
    sleep 0.05
  done
  echo "the $1 receiver did not start" >&2
  return 1
}

# probe PROFILE: runs the probe against PORT; its output in $WORK/probe.out, sets CODE.
probe() {
  CODE=0
  timeout 60 "$SENDER" probe --url "http://127.0.0.1:$PORT/hook" --profile "$1" \
    --attempt-timeout 5s >"$WORK/probe.out" 2>&1 || CODE=$?
  if grep -qF "$SECRET" "$WORK/probe.out"; then
    echo "the probe printed the secret" >&2
    return 1
  fi
}

for profile in standard stripe vector github slack shopify; do
  log "probe: a verifying Node receiver ($profile) passes"
  start_receiver correct "$profile"
  probe "$profile"
  stop_receiver
  if [ "$CODE" != 0 ] || ! grep -q "checks passed" "$WORK/probe.out"; then
    cat "$WORK/probe.out" >&2
    echo "probe ($profile): expected exit 0, got $CODE" >&2
    exit 1
  fi
done

# Standard Webhooks v1a (Ed25519): the probe signs with the whsk_ secret key, the receiver
# verifies with its whpk_ public key (the pair of verifier/tests/asymmetric.rs).
log "probe: v1a, a verifying Node receiver with the whpk_ key passes a probe with the whsk_ key"
HOOKPROOF_SECRET="whpk_HPrKjlN28DWaN5yx0n+RYd/7CqfvSKFqEGsKKtfsWac=" start_receiver correct standard
HOOKPROOF_SECRET="whsk_/YyuGMYXv+hNh+3l8AklpERlqjSVPw1uc0txT7pLZF0=" probe standard
stop_receiver
if [ "$CODE" != 0 ] || ! grep -q "checks passed" "$WORK/probe.out" || grep -qF "YyuGMYXv" "$WORK/probe.out"; then
  cat "$WORK/probe.out" >&2
  echo "probe (v1a): expected exit 0 and no key in the output, got $CODE" >&2
  exit 1
fi

for profile in standard github; do
  log "probe: a naive Node receiver (200 to everything, $profile) is caught"
  start_receiver naive "$profile"
  probe "$profile"
  stop_receiver
  out="$(cat "$WORK/probe.out")"
  fail() {
    printf '%s\n' "$out" >&2
    echo "probe ($profile, naive): $1" >&2
    exit 1
  }
  [ "$CODE" = 1 ] || fail "expected exit 1, got $CODE"
  grep -q "^FAIL .*tampered body" <<<"$out" || fail "the tampered body row did not fail"
  grep -q "^FAIL .*signed with another secret" <<<"$out" || fail "the wrong-secret row did not fail"
  grep -q "^FAIL .*missing " <<<"$out" || fail "no missing-header row failed"
  grep -q "checks failed: .*tampered body" <<<"$out" || fail "the summary does not name the failed rows"
  if [ "$profile" = standard ]; then
    grep -q "^FAIL .*stale timestamp" <<<"$out" || fail "the stale timestamp row did not fail"
    grep -q "^FAIL .*future timestamp" <<<"$out" || fail "the future timestamp row did not fail"
  fi
  grep -q "^PASS .*valid delivery" <<<"$out" || fail "the valid delivery did not pass"
done
log "probe suite passed"
