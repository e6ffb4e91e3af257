// The sender and the bench receiver: release builds, each built first when missing or
// older than any source it is built from (the receiver uses the verifier, not the
// sender's library). The receiver is an example (its dev-dependencies built too): a cargo
// run of its own, so they add no feature to the sender's build.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { log } from "./util.mjs";

const TARGETS = {
  sender: { rel: "target/release/hookproof-sender", cargo: [], sources: ["mock-sender/src", "verifier/src"] },
  receiver: {
    rel: "target/release/examples/bench_receiver",
    cargo: ["--example", "bench_receiver"],
    sources: ["mock-sender/examples", "verifier/src"],
  },
};

/** `{ path, note }` of an up-to-date binary of `which` (sender | receiver). */
export function ensureBinary(root, which, quick) {
  const { rel: relPath, cargo, sources } = TARGETS[which];
  const rel = join(root, relPath);
  const dbg = join(root, relPath.replace("/release/", "/debug/"));
  const newest = Math.max(
    ...sources.flatMap((d) => walk(join(root, d))),
    ...["mock-sender/Cargo.toml", "verifier/Cargo.toml", "Cargo.lock", "Cargo.toml"].map((f) => mtime(join(root, f))),
  );
  const fresh = (p) => existsSync(p) && mtime(p) >= newest;
  if (fresh(rel)) return { path: rel, note: "release" };
  // The CI smoke may find only the debug build of the test suite: good enough for --quick.
  if (quick && fresh(dbg))
    return { path: dbg, note: "debug (--quick: an up-to-date debug build was there; numbers are not representative)" };
  const command = ["build", "--release", "-p", "hookproof-sender", ...cargo];
  log(`building the ${which}: cargo ${command.join(" ")} (${existsSync(rel) ? "older than its sources" : "missing"})`);
  const r = spawnSync("cargo", command, { cwd: root, stdio: ["ignore", 2, 2] });
  if (r.status === 0) return { path: rel, note: "release" };
  if (existsSync(rel)) {
    log(
      `WARNING: the build failed (someone editing mock-sender?); measuring the previous release build of the ${which}`,
    );
    return { path: rel, note: "release, STALE: the build of the current sources failed" };
  }
  throw new Error(`cargo ${command.join(" ")} failed`);
}

function walk(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(mtime(p));
  }
  return out;
}

function mtime(p) {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}
