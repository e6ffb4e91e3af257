// Drives the workerd benchmark from the machine's Node: starts workerd (config.capnp) on
// 127.0.0.1, and for each size and contender times, with tinybench, requests that each
// run the verify N times inside the Worker, and requests that run it 0 times (the
// request's own cost). Per verify = (median(N) - median(0)) / N.
//   node bench/workerd/drive.mjs WORKERD_BINARY --out FILE [--quick] [--sizes ...] [--only ...] [--pkg DIR]
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { Bench } from "tinybench";
import { BUDGETS, pickRound } from "../lib/measure.mjs";
import { parseArgs } from "../lib/args.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const [workerdBin, ...rest] = process.argv.slice(2);
const args = parseArgs(rest);
const STARTUP_MS = 20_000;

/** Verifies per request: about 2 MB of body hashed per request (fewer in --quick). */
export function perRequest(size, quick) {
  const n = Math.max(2, Math.min(2048, Math.round((2 * 1024 * 1024) / size)));
  return quick ? Math.max(1, n >> 4) : n;
}

// The Worker as one module (plus the .wasm), into BUILD (--build; by default
// bench/results/build) with a copy of config.capnp, whose embeds name files beside it.
const pkgDir = args.pkg ?? join(HERE, "../../pkg");
const BUILD = args.build ?? join(HERE, "../results/build");
mkdirSync(BUILD, { recursive: true });
writeFileSync(
  join(BUILD, "config.capnp"),
  readFileSync(join(HERE, "config.capnp"), "utf8").replaceAll('embed "../results/build/', 'embed "'),
);
for (const wasm of ["hookproof_bg.wasm", "hookproof_tools_bg.wasm"]) {
  copyFileSync(join(pkgDir, "gen", wasm), join(BUILD, wasm));
}
const wasmSha256 = createHash("sha256")
  .update(readFileSync(join(BUILD, "hookproof_bg.wasm")))
  .digest("hex");
await build({
  entryPoints: [join(HERE, "worker.mjs")],
  outfile: join(BUILD, "worker.mjs"),
  bundle: true,
  format: "esm",
  platform: "browser",
  conditions: ["worker", "workerd"],
  external: ["node:*"],
  alias: { hookproof: join(pkgDir, "src/workerd.mjs") },
  logLevel: "warning",
  plugins: [
    {
      name: "wasm-module",
      setup(b) {
        b.onResolve({ filter: /\.wasm$/ }, (a) => ({ path: `./${a.path.split("/").pop()}`, external: true }));
      },
    },
  ],
});

const child = spawn(
  workerdBin,
  ["serve", join(BUILD, "config.capnp"), "--socket-addr", "http=127.0.0.1:0", "--control-fd", "3"],
  { stdio: ["ignore", "inherit", "inherit", "pipe"] },
);
let exited = false;
child.on("exit", () => (exited = true));
const stop = () => exited || child.kill("SIGKILL");
process.on("exit", stop);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(1));

const port = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`workerd did not listen within ${STARTUP_MS} ms`)), STARTUP_MS);
  child.on("exit", () => reject(new Error("workerd exited before listening")));
  createInterface({ input: child.stdio[3] }).on("line", (line) => {
    try {
      const msg = JSON.parse(line);
      if (msg.event === "listen" && msg.socket === "http") {
        clearTimeout(timer);
        resolve(msg.port);
      }
    } catch {
      // Not a control message: ignore it.
    }
  });
});
const base = `http://127.0.0.1:${port}`;

async function get(path) {
  const res = await fetch(base + path);
  const text = await res.text();
  if (!res.ok) throw new Error(`workerd ${path}: ${res.status} ${text}`);
  return text;
}

const budget = args.quick ? BUDGETS.quick : BUDGETS.full;
const rows = new Map();
for (const size of args.sizes) {
  const list = JSON.parse(await get(`/prepare?size=${size}${args.only ? `&only=${args.only.join(",")}` : ""}`));
  const n = perRequest(size, args.quick);
  const { rounds, ...options } = budget;
  const perRound = new Map(list.map((c) => [c.id, []]));
  let baseMs = Infinity;
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({ ...options, throws: true });
    // The request's own cost, measured first and last; the lower median is used.
    bench.add("(baseline 1)", () => get(`/run?id=${list[0].id}&size=${size}&n=0`));
    for (const c of list) {
      rows.has(c.id) || rows.set(c.id, { ...c, sizes: {} });
      bench.add(c.id, () => get(`/run?id=${c.id}&size=${size}&n=${n}`));
    }
    bench.add("(baseline 2)", () => get(`/run?id=${list[0].id}&size=${size}&n=0`));
    await bench.run();
    const lat = (name) => bench.getTask(name).result.latency;
    const base = Math.min(lat("(baseline 1)").p50, lat("(baseline 2)").p50);
    baseMs = Math.min(baseMs, base);
    for (const c of list) {
      const l = lat(c.id);
      perRound.get(c.id).push({
        medianNs: (Math.max(0, l.p50 - base) * 1e6) / n,
        meanNs: (Math.max(0, l.mean - base) * 1e6) / n,
        p99Ns: (Math.max(0, l.p99 - base) * 1e6) / n,
        madNs: (l.mad * 1e6) / n,
        rme: (l.rme * l.mean) / Math.max(1e-9, l.mean - base), // relative to the verify time, not the request
        samples: l.samplesCount,
        batch: n,
        requestBaselineNs: base * 1e6,
      });
    }
  }
  for (const [id, stats] of perRound) rows.get(id).sizes[size] = pickRound(stats);
  console.error(
    `workerd: ${size} B: ${list.length} contenders measured (${n} verifies per request, request overhead ${(baseMs * 1e3).toFixed(0)} µs)`,
  );
}
const version = await new Promise((resolve) => {
  const v = spawn(workerdBin, ["--version"], { stdio: ["ignore", "pipe", "ignore"] });
  let out = "";
  v.stdout.on("data", (d) => (out += d));
  v.on("exit", () => resolve(out.trim().split(/\s+/)[1] ?? "?"));
});
stop();
writeFileSync(
  args.out,
  JSON.stringify(
    {
      runtime: "workerd",
      runtimeVersion: version,
      date: new Date().toISOString(),
      quick: args.quick,
      method:
        "workerd's timers only advance on I/O, so the Node driver times whole loopback requests with tinybench: " +
        "each request runs the verify N times inside the Worker (N = `batch`, ~2 MB of body per request); " +
        "per verify = (median request time - median time of an N=0 request) / N; best of 3 rounds. " +
        "Peers are their edge builds (stripe worker build: constructEventAsync only; octokit web build: WebCrypto); " +
        "node:crypto via nodejs_compat.",
      sizes: args.sizes,
      wasmSha256,
      rows: [...rows.values()],
    },
    null,
    2,
  ),
);
process.exit(0);
