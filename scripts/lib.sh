# Shared helpers for the scripts in this folder: install what is missing, nothing more.
# shellcheck shell=bash
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/node_modules/.bin"
# The machine's own Node; the suites' other Node (Node 24) comes from ensure_node24.
# node_modules/.bin is never put on PATH: called by path, its tools cannot shadow the machine's.
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
    log "installing npm dev dependencies (npm ci)"
    (cd "$ROOT" && npm ci --no-audit --no-fund)
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

# The test runtimes beside the machine's Node, pinned here: the host platform's build from
# npm (`node-<os>-<arch>`, `@oven/bun-<os>-<arch>`), installed once per version into
# target/runtimes/ (outside node_modules, so that `npm ci` keeps them).
NODE24_VERSION=24.21.0
BUN_VERSION=1.4.5

# ensure_npm_binary PACKAGE VERSION FILE: prints the path of FILE inside PACKAGE@VERSION,
# installing the package first when it is missing.
ensure_npm_binary() {
  local pkg=$1 version=$2 file=$3 dir
  dir="$ROOT/target/runtimes/${pkg//\//+}@$version"
  if [ ! -x "$dir/node_modules/$pkg/$file" ]; then
    log "installing $pkg@$version (a test runtime) into ${dir#"$ROOT/"}"
    mkdir -p "$dir"
    [ -f "$dir/package.json" ] || echo '{ "private": true }' >"$dir/package.json"
    npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
      "$pkg@$version" >&2
  fi
  echo "$dir/node_modules/$pkg/$file"
}

host_os() {
  case "$(uname -s)" in
    Linux) echo linux ;;
    Darwin) echo darwin ;;
    *) echo "unsupported OS for the test runtimes: $(uname -s)" >&2; return 1 ;;
  esac
}

# x64 or arm64, as Node names them.
host_arch() {
  case "$(uname -m)" in
    x86_64 | amd64) echo x64 ;;
    aarch64 | arm64) echo arm64 ;;
    *) echo "unsupported CPU for the test runtimes: $(uname -m)" >&2; return 1 ;;
  esac
}

# Sets NODE24 to Node $NODE24_VERSION's binary.
ensure_node24() {
  local os arch
  os="$(host_os)" && arch="$(host_arch)"
  NODE24="$(ensure_npm_binary "node-$os-$arch" "$NODE24_VERSION" bin/node)"
}

# Sets BUN to Bun $BUN_VERSION's binary (Bun names arm64 aarch64, and builds for musl apart).
ensure_bun() {
  local os arch
  os="$(host_os)" && arch="$(host_arch)"
  [ "$arch" = arm64 ] && arch=aarch64
  if [ "$os" = linux ] && ldd --version 2>&1 | grep -qi musl; then arch="$arch-musl"; fi
  BUN="$(ensure_npm_binary "@oven/bun-$os-$arch" "$BUN_VERSION" bin/bun)"
}

ensure_redis() {
  if ! command -v redis-server >/dev/null; then
    log "installing Debian's redis-server"
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server
    else
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server
    fi
  fi
}
