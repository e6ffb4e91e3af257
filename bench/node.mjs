// The Node runtime entry: measures every contender in this process with tinybench and
// writes a results file. Normally started by bench/run.mjs; standalone:
//   node bench/node.mjs --out FILE [--quick] [--sizes 256,1024] [--only hp-,svix] [--pkg DIR]
// --pkg: the package folder (src/ and gen/) to load; run.mjs passes its snapshot of pkg/.
import { readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createHmac, timingSafeEqual, webcrypto } from "node:crypto";
import { Bench } from "tinybench";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import Stripe from "stripe";
import { verify as octokitVerify } from "@octokit/webhooks-methods";
import { measure } from "./lib/measure.mjs";
import { parseArgs } from "./lib/args.mjs";

const args = parseArgs(process.argv.slice(2));
const pkgDir = resolve(args.pkg ?? new URL("../pkg", import.meta.url).pathname);
const { Webhook } = await import(pathToFileURL(`${pkgDir}/src/node.mjs`).href);
const wasmSha256 = createHash("sha256")
  .update(readFileSync(`${pkgDir}/gen/hookproof_bg.wasm`))
  .digest("hex");
const deps = {
  Webhook,
  StandardWebhook,
  SvixWebhook,
  Stripe,
  stripe: new Stripe("sk_test_bench"),
  octokitVerify,
  createHmac,
  timingSafeEqual,
  Buffer,
  subtle: webcrypto.subtle,
};
const rows = await measure({
  Bench,
  deps,
  sizes: args.sizes,
  quick: args.quick,
  only: args.only,
  log: (m) => console.error(`node: ${m}`),
});
const results = {
  runtime: "node",
  runtimeVersion: process.version,
  date: new Date().toISOString(),
  quick: args.quick,
  method:
    "tinybench in-process (performance.now), warm-up then timed samples; per-verify figures = sample / batch; " +
    "best of 3 rounds (the round with the lowest median).",
  sizes: args.sizes,
  wasmSha256,
  rows,
};
writeFileSync(args.out, JSON.stringify(results, null, 2));
