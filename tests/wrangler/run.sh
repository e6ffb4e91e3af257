#!/usr/bin/env bash
# examples/cloudflare-worker as a Workers user builds it, with wrangler and no extra flags:
# `wrangler deploy --dry-run --outdir` bundles it (the bundle and both .wasm modules
# written), then `wrangler dev --local` serves it on 127.0.0.1 and `hookproof-sender probe`
# passes against both of its routes (hookproof/hono's middleware and a plain verifyRequest
# Worker). The example is copied to a temp folder (wrangler writes .wrangler/ and reads
# .dev.vars beside its config) with the repository's node_modules linked in, where
# `hookproof` is pkg/ (the root package.json's "file:pkg").
#
# wrangler never reaches the network here: no login, metrics, error reports, update check
# nor cf.json fetch (the environment below), and, where `unshare -rn` works (root, or
# unprivileged user namespaces), everything after the builds runs in a network namespace
# of its own whose only interface is loopback.
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
cd "$ROOT"

SECRET="whsec_aG9va3Byb29mLXdyYW5nbGVyLXRlc3Qta2V5IQ=="
WRANGLER="$BIN/wrangler"
SENDER="$ROOT/target/debug/hookproof-sender"

if [ "${1:-}" != --inner ]; then
  ensure_node_modules
  [ -f "$ROOT/pkg/gen/hookproof_bg.wasm" ] && [ -f "$ROOT/pkg/dist/index.cjs" ] || bash "$ROOT/scripts/build-pkg.sh"
  log "building hookproof-sender (debug)"
  cargo build --quiet -p hookproof-sender
  [ -x "$WRANGLER" ] || { echo "wrangler: missing $WRANGLER (npm install)" >&2; exit 1; }
  if unshare -rn true 2>/dev/null; then
    log "wrangler: in a network namespace with loopback only"
    exec timeout -k 10 180 unshare -rn bash -c 'ip link set lo up && exec bash "$0" --inner' "${BASH_SOURCE[0]}"
  fi
  log "wrangler: unshare -rn is not available here; the environment alone keeps wrangler offline"
  exec timeout -k 10 180 bash "${BASH_SOURCE[0]}" --inner
fi

TMP="$(mktemp -d)"
DEV_PID=""
cleanup() {
  # wrangler dev runs workerd as a child: stop its whole process group.
  [ -z "$DEV_PID" ] || kill -- -"$DEV_PID" 2>/dev/null || true
  [ -z "$DEV_PID" ] || wait "$DEV_PID" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

export WRANGLER_SEND_METRICS=false WRANGLER_SEND_ERROR_REPORTS=false WRANGLER_HIDE_BANNER=true
export CLOUDFLARE_CF_FETCH_ENABLED=false CI=true NO_COLOR=1 FORCE_COLOR=0
# Its config, logs and caches in the temp folder, none in the user's home.
export XDG_CONFIG_HOME="$TMP/config" WRANGLER_LOG_PATH="$TMP/logs" WRANGLER_CACHE_DIR="$TMP/cache"
unset CLOUDFLARE_API_TOKEN CLOUDFLARE_API_KEY CLOUDFLARE_ACCOUNT_ID CLOUDFLARE_EMAIL

APP="$TMP/worker"
mkdir "$APP"
cp -R "$ROOT/examples/cloudflare-worker/." "$APP/"
rm -rf "$APP/node_modules" "$APP/.wrangler" "$APP/.dev.vars"
ln -s "$ROOT/node_modules" "$APP/node_modules"
cd "$APP"

log "wrangler $("$WRANGLER" --version): deploy --dry-run --outdir"
if ! timeout -k 5 60 "$WRANGLER" deploy --dry-run --outdir "$TMP/out" >"$TMP/deploy.out" 2>&1; then
  cat "$TMP/deploy.out" >&2
  echo "wrangler deploy --dry-run failed" >&2
  exit 1
fi
for module in hookproof_bg.wasm hookproof_tools_bg.wasm; do
  if ! compgen -G "$TMP/out/*$module" >/dev/null; then
    ls -l "$TMP/out" >&2
    echo "the bundle has no $module module" >&2
    exit 1
  fi
done
[ -f "$TMP/out/index.js" ] || { ls -l "$TMP/out" >&2; echo "no index.js in the bundle" >&2; exit 1; }
log "bundled: $(cd "$TMP/out" && ls | tr '\n' ' ')"

log "wrangler dev --local on 127.0.0.1"
printf 'WEBHOOK_SECRET=%s\n' "$SECRET" >"$APP/.dev.vars"
: >"$TMP/dev.out"
setsid "$WRANGLER" dev --local --ip 127.0.0.1 --port 0 --inspector-port 0 --persist-to "$TMP/state" \
  --show-interactive-dev-session=false >"$TMP/dev.out" 2>&1 &
DEV_PID=$!
URL=""
for _ in $(seq 1 600); do
  URL="$(sed -n 's|.*Ready on \(http://127\.0\.0\.1:[0-9]*\).*|\1|p' "$TMP/dev.out" | head -n1)"
  [ -n "$URL" ] && break
  kill -0 "$DEV_PID" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$URL" ]; then
  cat "$TMP/dev.out" >&2
  echo "wrangler dev did not start within 60 s" >&2
  exit 1
fi
log "wrangler dev: $URL"

for route in webhooks plain; do
  log "probe: POST /$route (standard) passes"
  code=0
  HOOKPROOF_SECRET="$SECRET" timeout -k 5 60 "$SENDER" probe --url "$URL/$route" --profile standard \
    --attempt-timeout 10s >"$TMP/probe.out" 2>&1 || code=$?
  if [ "$code" != 0 ] || ! grep -q "checks passed" "$TMP/probe.out" || grep -qF "$SECRET" "$TMP/probe.out"; then
    cat "$TMP/probe.out" >&2
    tail -n 30 "$TMP/dev.out" >&2
    echo "probe of /$route: expected exit 0, every check passed and no secret printed; got exit $code" >&2
    exit 1
  fi
done

# The error answers' shape, as the README says: {"error": {"code", "message"}}.
for route in webhooks plain; do
  body="$(curl -s -X POST -H 'content-type: application/json' -d '{}' "$URL/$route")"
  case "$body" in
    '{"error":{"code":"missing_header","message":'*) ;;
    *)
      echo "an unsigned POST /$route: expected a missing_header error body, got: $body" >&2
      exit 1
      ;;
  esac
done
if grep -qF "$SECRET" "$TMP/dev.out"; then
  echo "wrangler dev's output holds the secret" >&2
  exit 1
fi
log "wrangler suite passed"
