"use strict";
// Finds the hookproof-sender executable: $HOOKPROOF_SENDER_BIN, else the binary of this
// platform's package (@hookproof/sender-<platform>-<arch>, an optionalDependency npm
// installs only where its os/cpu/libc match, as esbuild and Biome ship theirs), else a
// `hookproof-sender` on PATH that is not this package's own launcher.
const fs = require("node:fs");
const path = require("node:path");

/** Platform packages by `${process.platform}-${process.arch}`. */
const PLATFORMS = {
  "linux-x64": "@hookproof/sender-linux-x64",
  "linux-arm64": "@hookproof/sender-linux-arm64",
  "darwin-arm64": "@hookproof/sender-darwin-arm64",
  "darwin-x64": "@hookproof/sender-darwin-x64",
  "win32-x64": "@hookproof/sender-win32-x64",
};

const EXE = process.platform === "win32" ? "hookproof-sender.exe" : "hookproof-sender";
const LAUNCHER = path.join(__dirname, "bin", "hookproof-sender.cjs");

const INSTALL_HELP =
  "install one with Rust's cargo (https://rustup.rs): " +
  "`cargo install --git https://github.com/hookproof/hookproof hookproof-sender` " +
  "(or `cargo install --path mock-sender` in a checkout), " +
  "then put it on PATH or set HOOKPROOF_SENDER_BIN=/path/to/hookproof-sender";

function executable(file) {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return false;
    if (process.platform === "win32") return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function realpath(file) {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

/** The platform package's binary, or null when that package is not installed. */
function fromPlatformPackage() {
  const name = PLATFORMS[`${process.platform}-${process.arch}`];
  if (!name) return null;
  let file;
  try {
    file = require.resolve(`${name}/bin/${EXE}`);
  } catch {
    return null;
  }
  // A tarball unpacked without its modes (some package managers, some copies).
  if (!executable(file) && fs.existsSync(file)) {
    try {
      fs.chmodSync(file, 0o755);
    } catch {
      // Reported below as not executable.
    }
  }
  return executable(file) ? file : null;
}

/** `hookproof-sender` on PATH, skipping this package's launcher (node_modules/.bin). */
function fromPath() {
  const own = realpath(LAUNCHER);
  const names = process.platform === "win32" ? [EXE, "hookproof-sender.cmd"] : [EXE];
  for (const dir of (process.env.PATH || "").split(path.delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const file = path.join(dir, name);
      if (!executable(file)) continue;
      const real = realpath(file);
      if (real === own || /[\\/]node_modules[\\/]/.test(real) || name.endsWith(".cmd")) continue;
      return file;
    }
  }
  return null;
}

/**
 * The path of the hookproof-sender executable.
 * @param {string} [explicit] a path given by the caller, used as is
 * @returns {string}
 */
function findBinary(explicit) {
  if (explicit) return explicit;
  const fromEnv = process.env.HOOKPROOF_SENDER_BIN;
  if (fromEnv) {
    if (!executable(fromEnv)) {
      throw new Error(`HOOKPROOF_SENDER_BIN=${fromEnv} is not an executable file`);
    }
    return fromEnv;
  }
  const found = fromPlatformPackage() || fromPath();
  if (found) return found;
  const platform = `${process.platform}-${process.arch}`;
  const why = PLATFORMS[platform]
    ? `its package ${PLATFORMS[platform]} is not installed (an optional dependency: was it skipped, e.g. --omit=optional or --no-optional?)`
    : `no prebuilt binary is published for ${platform}`;
  throw new Error(`hookproof-sender: no binary found: ${why}, and none is on PATH; ${INSTALL_HELP}`);
}

module.exports = { findBinary, PLATFORMS };
