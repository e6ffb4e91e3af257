#!/usr/bin/env bash
# Every npm tarball, into target/npm/: hookproof (pkg/), hookproof-sender (the JS client
# and launcher, mock-sender/npm/hookproof-sender) and @hookproof/sender-<platform> with a
# release binary (mock-sender/npm/platforms/<platform>). Builds what is missing: pkg/
# first, then the sender, so that the binary carries the playground's wasm.
#
#   bash scripts/pack.sh                          # this machine's platform (linux-x64 here)
#   PLATFORMS="linux-x64 linux-arm64" bash scripts/pack.sh
#
# Another platform needs its Rust target and a linker for it (see mock-sender/npm/README.md);
# a platform whose build fails stops the script.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

OUT="$ROOT/target/npm"
NPM_DIR="$ROOT/mock-sender/npm"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

triple_of() {
  case "$1" in
    linux-x64) echo x86_64-unknown-linux-gnu ;;
    linux-arm64) echo aarch64-unknown-linux-gnu ;;
    darwin-x64) echo x86_64-apple-darwin ;;
    darwin-arm64) echo aarch64-apple-darwin ;;
    win32-x64) echo x86_64-pc-windows-msvc ;;
    *) echo "pack: unknown platform $1" >&2; return 1 ;;
  esac
}

host_platform() {
  "$NODE" -p 'process.platform + "-" + process.arch'
}

# One version everywhere: the crate's, the packages', and the exact optionalDependencies.
version="$(awk -F'"' '/^version = / { print $2; exit }' mock-sender/Cargo.toml)"
"$NODE" - "$version" "$NPM_DIR" <<'JS'
const fs = require("node:fs");
const path = require("node:path");
const [version, dir] = process.argv.slice(2);
const read = (p) => JSON.parse(fs.readFileSync(p, "utf8"));
const main = read(path.join(dir, "hookproof-sender/package.json"));
const wrong = [];
if (main.version !== version) wrong.push(`hookproof-sender ${main.version}`);
for (const name of fs.readdirSync(path.join(dir, "platforms"))) {
  const p = read(path.join(dir, "platforms", name, "package.json"));
  if (p.version !== version) wrong.push(`${p.name} ${p.version}`);
  if (main.optionalDependencies[p.name] !== version) wrong.push(`optionalDependencies ${p.name}`);
}
if (wrong.length) throw new Error(`pack: not at the crate's version ${version}: ${wrong.join(", ")}`);
JS

platforms="${PLATFORMS:-$(host_platform)}"
# pkg/ again when it is missing or older than its sources (a tarball of stale wasm glue
# fails in the installed project).
if [ ! -f pkg/gen/hookproof_tools_bg.wasm ] || [ ! -f pkg/dist/index.cjs ] ||
  [ -n "$(find pkg/src verifier/src verifier/Cargo.toml -newer pkg/dist/index.cjs -print -quit)" ]; then
  bash scripts/build-pkg.sh
fi

rm -rf "$OUT"
mkdir -p "$OUT/stage"

log "npm pack pkg/ (hookproof)"
(cd pkg && npm pack --pack-destination "$OUT" --silent >/dev/null)

log "npm pack hookproof-sender"
cp -r "$NPM_DIR/hookproof-sender" "$OUT/stage/hookproof-sender"
cp LICENSE-MIT LICENSE-APACHE "$OUT/stage/hookproof-sender/"
(cd "$OUT/stage/hookproof-sender" && npm pack --pack-destination "$OUT" --silent >/dev/null)

for platform in $platforms; do
  triple="$(triple_of "$platform")"
  exe=hookproof-sender
  [ "${platform%%-*}" = win32 ] && exe=hookproof-sender.exe
  if [ "$platform" = "$(host_platform)" ]; then
    log "cargo build --release hookproof-sender ($platform)"
    cargo build --quiet --release -p hookproof-sender
    bin="$ROOT/target/release/$exe"
  else
    log "cargo build --release --target $triple hookproof-sender ($platform)"
    rustup target list --installed | grep -qx "$triple" || {
      echo "pack: the Rust target $triple is not installed (rustup target add $triple; it also needs a linker for it)" >&2
      exit 1
    }
    cargo build --quiet --release -p hookproof-sender --target "$triple"
    bin="$ROOT/target/$triple/release/$exe"
  fi
  stage="$OUT/stage/$platform"
  mkdir -p "$stage/bin"
  cp "$NPM_DIR/platforms/$platform/package.json" "$stage/"
  cp LICENSE-MIT LICENSE-APACHE "$stage/"
  cp "$bin" "$stage/bin/$exe"
  chmod 755 "$stage/bin/$exe"
  log "npm pack @hookproof/sender-$platform ($(wc -c <"$bin") bytes of binary)"
  (cd "$stage" && npm pack --pack-destination "$OUT" --silent >/dev/null)
done
rm -rf "$OUT/stage"
log "tarballs in target/npm/: $(cd "$OUT" && ls *.tgz | tr '\n' ' ')"
