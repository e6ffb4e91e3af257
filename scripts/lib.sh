# Shared helpers for the scripts in this folder: install what is missing, nothing more.
# shellcheck shell=bash
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/node_modules/.bin"
# The machine's own Node. node_modules/.bin also holds a `node` (Node 24, for the
# cross-runtime suite), so that folder is never put on PATH.
NODE="$(command -v node)"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# The wasm-bindgen version pinned in Cargo.lock.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_wasm_bindgen() {
  local want have
  want="$(wasm_bindgen_version)"
  have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
  if [ "$have" != "$want" ]; then
    log "installing wasm-bindgen-cli $want (found: ${have:-none}); this takes a few minutes"
    # Not --locked: the registry mirror here lacks some of the CLI's locked transitive versions.
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

# node_modules is current when it was installed from this package-lock.json: its hash is
# kept beside the install (file times say nothing in a fresh clone or a git worktree).
ensure_node_modules() {
  local stamp="$ROOT/node_modules/.hookproof-lock.sha256"
  if [ ! -d "$ROOT/node_modules" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$(lock_hash)" ]; then
    log "installing npm dev dependencies"
    # `npm install`, not `npm ci`: this npm leaves other platforms' optional binaries
    # (deno, workerd) out of the lock file, which `npm ci` then refuses as out of sync.
    (cd "$ROOT" && npm install --no-audit --no-fund)
    lock_hash >"$stamp"
  fi
}

lock_hash() {
  sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    log "installing Debian's chromium"
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
    else
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
    fi
  fi
}
