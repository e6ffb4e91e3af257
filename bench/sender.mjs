#!/usr/bin/env node
// Sender throughput. See bench/README.md, "Sender throughput".
//   node bench/sender.mjs [--quick] [--modes memory,db] [--events N] [--webhooks K]
//                         [--queued Q] [--seconds S] [--pad-bytes B] [--bin PATH]
//                         [--receiver-bin PATH] [--results DIR] [--update-benchmarks]
// Starts target/release/hookproof-sender (built first when missing or older than its
// sources) and the bench receiver (target/release/examples/bench_receiver: keep-alive,
// one thread, 204 at once) and drives POST /v1/events: deliveries/s, end-to-end latency
// (event POST -> arrival), retry firing error (attempt 2 sent vs scheduled, from the
// sender's log), and memory per queued delivery (VmRSS delta with Q deliveries stuck
// behind a receiver that never answers). Writes DIR/sender.json and DIR/sender.md
// (default bench/results/); --update-benchmarks also replaces the generated block of
// BENCHMARKS.md's "Sender throughput" section.
// The parts: bench/sender/ (build, receiver, loadgen, serve, phases, report).
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { count, list, readOptions } from "./lib/args.mjs";
import { updateBenchmarksMd } from "./lib/benchmarks-md.mjs";
import { gitInfo, machineInfo } from "./lib/machine.mjs";
import { ensureBinary } from "./sender/build.mjs";
import { runMode } from "./sender/phases.mjs";
import { receiverAlone, startReceiver } from "./sender/receiver.mjs";
import { consoleSummary, goals, markdown } from "./sender/report.mjs";
import { MAX_IN_FLIGHT, PAD_BYTES, SCHEDULED_MS, TIME_SCALE } from "./sender/settings.mjs";
import { fmt0, log, pct } from "./sender/util.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "..");

let args;
try {
  args = {
    quick: false,
    modes: ["memory", "db"],
    results: join(HERE, "results"),
    updateBenchmarks: false,
    ...readOptions(process.argv.slice(2), {
      "--quick": "flag",
      "--modes": (v) => {
        const modes = list(v);
        for (const m of modes) if (!["memory", "db"].includes(m)) throw new Error(`--modes: memory or db, not ${m}`);
        return modes;
      },
      "--events": count,
      "--webhooks": count,
      "--queued": count,
      "--seconds": Number,
      "--pad-bytes": count,
      "--bin": (v) => resolve(v),
      "--receiver-bin": (v) => resolve(v),
      "--results": (v) => resolve(v),
      "--update-benchmarks": "flag",
    }),
  };
} catch (e) {
  console.error(`sender bench: ${e.message} (see bench/README.md)`);
  process.exit(2);
}
if (args.help) {
  console.log(
    readFileSync(fileURLToPath(import.meta.url), "utf8")
      .split("\n")
      .slice(1, 14)
      .join("\n"),
  );
  process.exit(0);
}
if (args.updateBenchmarks && (args.quick || args.padBytes !== undefined)) {
  console.error("sender bench: --update-benchmarks needs a full run (no --quick) with the default bodies");
  process.exit(2);
}

const q = args.quick;
const padBytes = args.padBytes ?? PAD_BYTES;
const cfg = {
  webhooks: args.webhooks ?? (q ? 4 : 16),
  events: args.events ?? (q ? 100 : 25_000),
  seconds: args.seconds ?? (q ? 1 : 8), // cap on the saturation phase
  pacedSeconds: q ? 0.5 : 4,
  idleRetries: q ? 10 : 300,
  queued: args.queued ?? (q ? 20_000 : 100_000), // quick: enough for RSS to move (2,000 once measured 0 B)
  aloneSeconds: q ? 0.3 : 3,
  memorySeconds: q ? 5 : 30,
  padBytes,
  pad: "x".repeat(padBytes),
};
mkdirSync(args.results, { recursive: true });
const started = performance.now();
const bin = args.bin ? { path: args.bin, note: "--bin" } : ensureBinary(ROOT, "sender", q);
log(`sender binary: ${relative(ROOT, bin.path)} (${bin.note})`);
const receiverBin = args.receiverBin
  ? { path: args.receiverBin, note: "--receiver-bin" }
  : ensureBinary(ROOT, "receiver", q);
log(`receiver binary: ${relative(ROOT, receiverBin.path)} (${receiverBin.note})`);
const tmp = mkdtempSync(join(tmpdir(), "hookproof-sender-bench-"));
const { pad: _pad, ...cfgReported } = cfg;
const result = {
  machine: machineInfo(),
  date: new Date().toISOString(),
  argv: process.argv.slice(2),
  bin: relative(ROOT, bin.path),
  binNote: bin.note,
  receiverBin: { path: relative(ROOT, receiverBin.path), note: receiverBin.note },
  git: gitInfo(ROOT, ["mock-sender", "verifier"]),
  cfg: cfgReported,
  timeScale: TIME_SCALE,
  scheduledMs: SCHEDULED_MS,
  modes: {},
};
let receiver;
try {
  const secret = `whsec_${randomBytes(24).toString("base64")}`;
  receiver = await startReceiver(receiverBin.path, secret);

  // The receiver alone: what it can take on this machine, without the sender.
  const conns = cfg.webhooks * MAX_IN_FLIGHT;
  log(`receiver alone: ${conns} keep-alive connections, ${cfg.aloneSeconds} s`);
  result.receiverAlone = await receiverAlone(receiver, secret, { conns, seconds: cfg.aloneSeconds, padBytes });
  log(
    `receiver alone: ${fmt0(result.receiverAlone.perSecond)}/s at ${pct(result.receiverAlone.receiverCpu)} of a core`,
  );

  for (const mode of args.modes) {
    result.modes[mode] = await runMode(mode, { root: ROOT, cfg, secret, receiver, tmp, bin: bin.path });
  }
} finally {
  try {
    receiver?.send("exit");
  } catch {
    // Best effort: the temporary folder still goes.
  }
  rmSync(tmp, { recursive: true, force: true });
}
result.seconds = (performance.now() - started) / 1000;
// Others share this machine: the load at the end says whether it changed during the run.
result.loadEnd = loadavg().map((x) => x.toFixed(2));
result.goals = goals(result);
writeFileSync(join(args.results, "sender.json"), JSON.stringify(result, null, 2));
writeFileSync(join(args.results, "sender.md"), markdown(result));
console.log(consoleSummary(result));
if (args.updateBenchmarks) {
  updateBenchmarksMd(ROOT, {
    name: "sender",
    command: "node bench/sender.mjs --update-benchmarks",
    heading: '## Sender throughput\n\nMeasured by `bench/sender.mjs` (how: `bench/README.md`, "Sender throughput").',
    generated: markdown(result, { short: true }),
  });
  log("BENCHMARKS.md: the sender's block updated");
}
// Sanity: numbers were produced and deliveries arrived signed.
const bad = Object.entries(result.modes).filter(
  ([, m]) =>
    !(m.throughput.perSecond > 0) ||
    m.throughput.missing > 0 ||
    m.throughput.badSig > 0 ||
    !(m.memory.bytesPerDelivery > 0),
);
if (bad.length) {
  console.error(
    `sender bench: FAILED in ${bad.map(([k]) => k).join(", ")} (missing deliveries, bad signatures or no figures)`,
  );
  process.exit(1);
}
