#!/usr/bin/env bash
# workerd end to end: tests/workerd/worker.mjs imports the package's workerd entry
# (pkg/src/workerd.mjs, whose .wasm import workerd compiles ahead of time), served by
# workerd on 127.0.0.1 (config.capnp); drive.mjs, run with the machine's Node, sends
# deliveries signed with the package and checks 200 / 401 {"error": code}.
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
cd "$ROOT"

ensure_node_modules
[ -f "$ROOT/pkg/gen/hookproof_bg.wasm" ] || bash "$ROOT/scripts/build-pkg.sh"
WORKERD="$BIN/workerd"
[ -x "$WORKERD" ] || { echo "workerd: missing $WORKERD (npm ci)" >&2; exit 1; }

PIDFILE="$(mktemp)"
# Belt and braces: if the driver itself is killed, workerd is stopped here.
cleanup() {
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [ -z "$pid" ] || kill -9 "$pid" 2>/dev/null || true
  rm -f "$PIDFILE"
}
trap cleanup EXIT

log "workerd $("$WORKERD" --version | awk '{print $2}')"
# A longer property run (HOOKPROOF_PROPTEST_CASES) gets more time, as drive.mjs's own limit.
timeout -k 5 $((90 + ${HOOKPROOF_PROPTEST_CASES:-0} / 10)) "$NODE" "$ROOT/tests/workerd/drive.mjs" "$WORKERD" "$PIDFILE"
