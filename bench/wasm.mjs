// The .wasm: size raw and gzipped (node:zlib, level 9), instantiate time, and SHA-256
// throughput at 1 MiB across fresh processes.
//   node bench/wasm.mjs --out FILE [--quick]
// Cold: each sample is a fresh Node process doing `new WebAssembly.Module(bytes)` +
// `new WebAssembly.Instance(module, imports)` once (V8 caches compiled modules per
// process, so repeating it in one process measures the cache). Warm: the same repeated
// in this process. Both are medians; imports are stubs of the right kind (instantiation
// does not call them).
// Throughput: each sample is a fresh Node process verifying a 1 MiB body (bytes) with the
// package's `verifySignature`. On Node 20 one process runs the module's SHA-256 at either
// ~370–380 or ~330–345 MB/s and stays there (every build shows it, the same wasm in Node 24, Deno
// and workerd does not), so one process, as in the runtimes' tables, can land on either;
// the median of several fresh ones is reported beside it.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { gzipSync, brotliCompressSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { parseArgs } from "./lib/args.mjs";
import { makeBody, STD_SECRET } from "./lib/cases.mjs";

import { createHash } from "node:crypto";
import { resolve } from "node:path";

// `--pkg DIR` (run.mjs passes its snapshot) or `--wasm FILE` for a cold child.
const argv = process.argv.slice(2);
const wasmAt = argv.indexOf("--wasm");
const pkgAt = argv.indexOf("--pkg");
const WASM =
  wasmAt >= 0
    ? argv[wasmAt + 1]
    : resolve(
        pkgAt >= 0 ? argv[pkgAt + 1] : fileURLToPath(new URL("../pkg", import.meta.url)),
        "gen/hookproof_bg.wasm",
      );

function stubImports(module) {
  const imports = {};
  for (const { module: m, name, kind } of WebAssembly.Module.imports(module)) {
    imports[m] ??= {};
    if (kind === "function") imports[m][name] = () => {};
    else throw new Error(`unexpected ${kind} import ${m}.${name}`);
  }
  return imports;
}

/** One compile + instantiate, in ms: [compile, instantiate, total]. */
function once(bytes) {
  const t0 = performance.now();
  const module = new WebAssembly.Module(bytes);
  const t1 = performance.now();
  new WebAssembly.Instance(module, stubImports(module));
  const t2 = performance.now();
  return [t1 - t0, t2 - t1, t2 - t0];
}

function toolsSizes(file) {
  if (file === WASM || !existsSync(file)) return null;
  const tools = readFileSync(file);
  return { rawBytes: tools.length, gzipBytes: gzipSync(tools, { level: 9 }).length };
}

/**
 * MB/s (10^6 B) of the verify module's own verify of a 1 MiB body in this process: median
 * of 15 timings. Called through the module's exports with the request already in its
 * buffer, since the package hashes a body this large with node:crypto in Node
 * (pkg/src/host.mjs): this is the wasm SHA-256 that workerd and browsers run.
 */
async function throughputOnce(pkg) {
  const { Webhook } = await import(resolve(pkg, "src/node.mjs"));
  const body = new TextEncoder().encode(makeBody(1024 * 1024));
  const headers = new Webhook(STD_SECRET).sign(body, { id: "msg_bench" });
  // A fresh instance of the verify module of its own (node.mjs's is not used again).
  const glue = await import(resolve(pkg, "gen/hookproof.mjs"));
  const { default: base64 } = await import(resolve(pkg, "gen/hookproof_bg.wasm.mjs"));
  const module = glue.__hookproofDetach() ?? new WebAssembly.Module(Buffer.from(base64, "base64"));
  const { memory } = glue.initSync({ module });
  const handle = glue.webhookNew("standard", 300);
  if (!glue.webhookAddSecret(handle, STD_SECRET)) throw new Error("wasm throughput: the secret was refused");
  // The scheme's header names, in the order webhookVerify reads their values.
  const { SCHEMES } = await import(resolve(pkg, "gen/schemes.mjs"));
  const names = SCHEMES.find((s) => s.name === "standard").headers;
  const values = names.map((n) => headers[n]);
  const joined = values.join("");
  const ptr = glue.requestBuffer(body.length + joined.length);
  const view = new Uint8Array(memory.buffer, ptr, body.length + joined.length);
  view.set(body);
  new TextEncoder().encodeInto(joined, view.subarray(body.length));
  const now = Math.floor(Date.now() / 1000);
  const verify = () =>
    glue.webhookVerify(handle, body.length, values[0].length, values[1].length, values[2].length, now);
  if (!verify()) throw new Error(`wasm throughput: not verified (${glue.errorCode()})`);
  for (let i = 0; i < 30; i++) verify();
  const ms = [];
  for (let round = 0; round < 15; round++) {
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) verify();
    ms.push((performance.now() - t0) / 10);
  }
  return body.length / median(ms) / 1000;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

if (argv[0] === "--once") {
  // A child: one cold measurement, printed as JSON.
  process.stdout.write(JSON.stringify(once(readFileSync(WASM))));
} else if (argv[0] === "--throughput") {
  // A child: MB/s at 1 MiB in a fresh process, printed as JSON.
  process.stdout.write(JSON.stringify(await throughputOnce(argv[1])));
} else {
  const args = parseArgs(process.argv.slice(2));
  const bytes = readFileSync(WASM);
  const coldN = args.quick ? 3 : 21;
  const warmN = args.quick ? 5 : 200;
  const cold = [];
  for (let i = 0; i < coldN; i++) {
    cold.push(
      JSON.parse(
        execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--once", "--wasm", WASM], {
          encoding: "utf8",
        }),
      ),
    );
  }
  const warm = [];
  for (let i = 0; i < warmN; i++) warm.push(once(bytes));
  // Only with the package beside the wasm (`--pkg`, as run.mjs passes it).
  const PKG = resolve(WASM, "../..");
  const mbps = [];
  if (existsSync(resolve(PKG, "src/node.mjs"))) {
    for (let i = 0; i < (args.quick ? 1 : 7); i++) {
      const child = [fileURLToPath(import.meta.url), "--throughput", PKG];
      mbps.push(JSON.parse(execFileSync(process.execPath, child, { encoding: "utf8" })));
    }
  }
  const col = (xs, i) => xs.map((x) => x[i]);
  const result = {
    file: WASM,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    runtime: "node",
    runtimeVersion: process.version,
    rawBytes: bytes.length,
    gzipBytes: gzipSync(bytes, { level: 9 }).length,
    brotliBytes: brotliCompressSync(bytes).length,
    // The second module (sign, diagnose), instantiated on first use; browsers load only it.
    tools: toolsSizes(WASM.replace(/hookproof_bg\.wasm$/, "hookproof_tools_bg.wasm")),
    cold: {
      n: coldN,
      compileMs: median(col(cold, 0)),
      instantiateMs: median(col(cold, 1)),
      totalMs: median(col(cold, 2)),
      maxTotalMs: Math.max(...col(cold, 2)),
    },
    throughput: mbps.length
      ? { n: mbps.length, medianMBps: median(mbps), minMBps: Math.min(...mbps), maxMBps: Math.max(...mbps) }
      : null,
    warm: {
      n: warmN,
      compileMs: median(col(warm, 0)),
      instantiateMs: median(col(warm, 1)),
      totalMs: median(col(warm, 2)),
    },
  };
  if (args.out) writeFileSync(args.out, JSON.stringify(result, null, 2));
  else console.log(result);
}
