// The sender the dashboard's browser tests drive: target/debug/hookproof-sender (which
// tests/www/run.sh builds after pkg/, so its pages are the current ones) on 127.0.0.1:0,
// in memory, retry waits x0.001, and a client of its API.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./browser.mjs";

const BIN = join(ROOT, "target", "debug", "hookproof-sender");

/** Starts the sender; its base URL. `cleanups` gets what stops it. */
export async function startSender(cleanups) {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: cargo build -p hookproof-sender`);
  // Each webhook's own retry_schedule makes a delivery fail for good in ~2 s.
  const args = ["serve", "--addr", "127.0.0.1:0", "--memory", "--time-scale", "0.001", "--attempt-timeout", "5s"];
  const child = spawn(BIN, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RUST_LOG: "warn" },
  });
  const stderr = [];
  child.stderr.on("data", (c) => stderr.push(c));
  cleanups.push(async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await Promise.race([new Promise((ok) => child.once("exit", ok)), new Promise((ok) => setTimeout(ok, 3000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
  const lines = createInterface({ input: child.stdout });
  return new Promise((ok, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`sender did not announce its address in 30 s: ${Buffer.concat(stderr)}`)),
      30_000,
    );
    lines.on("line", (line) => {
      const m = /^listening on (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    child.once("exit", (code) => fail(new Error(`sender exited (${code}): ${Buffer.concat(stderr)}`)));
  });
}

/**
 * A client of the sender at `base`: `call(method, path, body)` answers the JSON of `/v1`
 * + `path` (`{data}`), or null for a 204, and throws on any other failure.
 */
export function client(base) {
  return async function call(method, path, body) {
    const res = await fetch(`${base}/v1${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    const json = res.status === 204 ? null : await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
}
