// Bundled by esbuild (tests/pack/run.sh) into one file that runs away from node_modules,
// as a Lambda or a serverless bundle would: verify, sign and diagnose all work, so the
// package needs no file beside the bundle.
import assert from "node:assert/strict";
import { Webhook } from "hookproof";

const wh = new Webhook("whsec_" + btoa("bundled test key"));
const body = JSON.stringify({ type: "ping", via: "bundle" });
assert.deepEqual(wh.verify(body, wh.sign(body)), JSON.parse(body));
const report = wh.diagnose(body + "\n", wh.sign(body));
assert.equal(report.verified, false);
assert.ok(
  report.findings.some((f) => f.kind === "trailing_newline_added"),
  JSON.stringify(report),
);
console.log("pack: verify, sign and diagnose ok from an esbuild bundle");
