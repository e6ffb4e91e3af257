// A `hookproof-sender serve` process for one phase of the bench, and a client of its API.
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import { MAX_IN_FLIGHT, TIME_SCALE } from "./settings.mjs";

let senderSeq = 0;

/**
 * Starts `bin serve` on a free port with the store of `mode` (memory | db, in `tmp`) and
 * the default logging (info, one line per attempt) to a file in `tmp`; `extra` replaces
 * the default `--attempt-timeout 10s`. Resolves `{ url, pid, logPath, stop(hard) }`.
 */
export async function startSender({ root, bin, mode, tmp, tag, extra = [] }) {
  const n = ++senderSeq;
  const logPath = join(tmp, `sender-${tag}-${mode}-${n}.log`);
  const logFd = openSync(logPath, "w");
  const store = mode === "memory" ? ["--memory"] : ["--db", join(tmp, `sender-${tag}-${n}.db`)];
  const env = { ...process.env };
  delete env.RUST_LOG; // the default filter: info, one line per attempt
  const child = spawn(
    bin,
    [
      "serve",
      "--addr",
      "127.0.0.1:0",
      ...store,
      "--time-scale",
      String(TIME_SCALE),
      "--max-in-flight",
      String(MAX_IN_FLIGHT),
      ...(extra.length ? extra : ["--attempt-timeout", "10s"]),
    ],
    { cwd: root, env, stdio: ["ignore", "pipe", logFd] },
  );
  closeSync(logFd);
  const url = await new Promise((res, rej) => {
    let buf = "";
    const t = setTimeout(
      () => rej(new Error(`the sender did not start (log: ${readFileSync(logPath, "utf8").slice(-500)})`)),
      15_000,
    );
    child.stdout.on("data", (d) => {
      buf += d;
      const m = /listening on (http:\/\/\S+)/.exec(buf);
      if (m) {
        clearTimeout(t);
        res(m[1]);
      }
    });
    child.on("exit", (code) =>
      rej(new Error(`the sender exited with ${code}: ${readFileSync(logPath, "utf8").slice(-500)}`)),
    );
  });
  child.stdout.resume();
  return {
    url,
    pid: child.pid,
    logPath,
    stop: (hard) =>
      new Promise((r) => {
        if (child.exitCode !== null || child.signalCode !== null) return r();
        const k = setTimeout(() => child.kill("SIGKILL"), hard ? 0 : 2000);
        child.once("exit", () => {
          clearTimeout(k);
          r();
        });
        child.kill(hard ? "SIGKILL" : "SIGTERM");
      }),
  };
}

/** The sender's API: `post` on the hot path (keep-alive node:http), `get` / `postJson` off it. */
export function client(base) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const u = new URL(base);
  return {
    post(path, body) {
      const data = Buffer.from(JSON.stringify(body));
      return new Promise((res, rej) => {
        const req = http.request(
          {
            host: u.hostname,
            port: u.port,
            path,
            method: "POST",
            agent,
            headers: { "content-type": "application/json", "content-length": data.length },
          },
          (r) => {
            const chunks = [];
            r.on("data", (c) => chunks.push(c));
            r.on("end", () => {
              if (r.statusCode >= 300)
                rej(new Error(`POST ${path}: ${r.statusCode} ${Buffer.concat(chunks).toString().slice(0, 300)}`));
              else res(r.statusCode);
            });
          },
        );
        req.on("error", rej);
        req.end(data);
      });
    },
    async get(path) {
      const res = await fetch(new URL(path, base));
      if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
      return res.json();
    },
    async postJson(path, body) {
      const res = await fetch(new URL(path, base), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`POST ${path}: ${res.status}`);
      return res.json();
    },
  };
}
