// The Deno runtime entry: the same contenders and tinybench measurement as bench/node.mjs,
// with the peers' edge builds (BUILD/peers.mjs, bundled by run.mjs; BUILD is --build, by
// default bench/results/build) and hookproof's Deno entry (pkg/src/node.mjs, which Deno's
// "deno" export condition picks). Started by bench/run.mjs; standalone (after one run.mjs
// has bundled the peers):
//   deno run --allow-read --allow-write=bench/results bench/deno.mjs --out FILE [--quick] [--pkg DIR] [--build DIR]
import { createHmac, timingSafeEqual } from "node:crypto";
import { Buffer } from "node:buffer";
import { Bench } from "../node_modules/tinybench/dist/index.js";
import { measure } from "./lib/measure.mjs";
import { parseArgs } from "./lib/args.mjs";

const args = parseArgs(Deno.args);
const buildDir = args.build ?? new URL("results/build", import.meta.url).pathname;
const { StandardWebhook, SvixWebhook, Stripe, octokitVerify } = await import(
  new URL(`file://${buildDir}/peers.mjs`).href
);
const pkgDir = args.pkg ?? new URL("../pkg", import.meta.url).pathname;
const { Webhook } = await import(new URL(`file://${pkgDir}/src/node.mjs`).href);
const wasmBytes = Deno.readFileSync(`${pkgDir}/gen/hookproof_bg.wasm`);
const wasmSha256 = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", wasmBytes)), (b) =>
  b.toString(16).padStart(2, "0"),
).join("");
const deps = {
  Webhook,
  StandardWebhook,
  SvixWebhook,
  Stripe,
  // Deno gets stripe's worker build: only constructEventAsync works (the sync API throws).
  stripe: new Stripe("sk_test_bench", { httpClient: Stripe.createFetchHttpClient() }),
  octokitVerify,
  createHmac,
  timingSafeEqual,
  Buffer,
  subtle: crypto.subtle,
};
const rows = await measure({
  Bench,
  deps: { ...deps, skip: ["stripe"] },
  sizes: args.sizes,
  quick: args.quick,
  only: args.only,
  log: (m) => console.error(`deno: ${m}`),
});
const results = {
  runtime: "deno",
  runtimeVersion: Deno.version.deno,
  date: new Date().toISOString(),
  quick: args.quick,
  method:
    "tinybench in-process (performance.now), warm-up then timed samples; per-verify figures = sample / batch; " +
    "best of 3 rounds (the round with the lowest median). " +
    "Peers are their edge builds (stripe worker build: constructEventAsync only; octokit web build: WebCrypto).",
  sizes: args.sizes,
  wasmSha256,
  rows,
};
Deno.writeTextFileSync(args.out, JSON.stringify(results, null, 2));
