#!/usr/bin/env bash
# ReplayGuard's shared stores on their real engines: a redis-server (installed when
# missing, started here on a free loopback port without persistence, stopped by the trap)
# with the node-redis and ioredis clients; Durable Objects under Miniflare; and the
# sender's chaos "duplicate" mode against two Express instances sharing Redis.
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
cd "$ROOT"

ensure_node_modules
ensure_redis
[ -f pkg/gen/hookproof_bg.wasm ] && [ -f pkg/dist/redis.cjs ] || bash scripts/build-pkg.sh
log "building hookproof-sender (debug)"
cargo build --quiet -p hookproof-sender

REPLAY_TMP="$(mktemp -d)"
# Every redis-server of the suite (this one, and those the tests start) writes a pid file
# into REPLAY_TMP: all are stopped here, whatever happened.
cleanup() {
  local f
  for f in "$REPLAY_TMP"/*.pid; do
    [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true
  done
  rm -rf "$REPLAY_TMP"
}
trap cleanup EXIT

free_port() {
  "$NODE" -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}
for _ in 1 2 3; do
  PORT="$(free_port)"
  redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$REPLAY_TMP" \
    --pidfile "$REPLAY_TMP/redis-main.pid" --logfile "$REPLAY_TMP/redis-main.log" --daemonize yes
  for _ in $(seq 50); do
    [ "$(redis-cli -p "$PORT" ping 2>/dev/null)" = PONG ] && break
    sleep 0.1
  done
  [ "$(redis-cli -p "$PORT" ping 2>/dev/null)" = PONG ] && break
  PORT=""
done
[ -n "$PORT" ] || { cat "$REPLAY_TMP/redis-main.log" >&2; echo "redis-server did not start" >&2; exit 1; }
log "$(redis-server --version | awk '{print $1, $2, $3}') on 127.0.0.1:$PORT"

export REDIS_URL="redis://127.0.0.1:$PORT" REDIS_SERVER="$(command -v redis-server)" REPLAY_TMP
export HOOKPROOF_SENDER="$ROOT/target/debug/hookproof-sender"
timeout -k 5 150 "$NODE" --test --test-reporter=spec tests/replay/
