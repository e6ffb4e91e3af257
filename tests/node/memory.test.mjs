// A Webhook's verifier lives in wasm memory (a handle into the module's slab); it must be
// freed when the Webhook is collected, or a receiver that builds a Webhook per request
// grows without bound. Runs a child Node with --expose-gc (Node only: Bun has no such
// flag).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const PKG = fileURLToPath(new URL("../../pkg/src/", import.meta.url));

const CHILD = `
import { Webhook } from ${JSON.stringify(PKG + "node.mjs")};
import { core } from ${JSON.stringify(PKG + "wasm.mjs")};
const secrets = ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_" + Buffer.alloc(512, 7).toString("base64")];
const pages = () => core().memory.buffer.byteLength / 65536;
const sizes = [];
for (let round = 0; round < 12; round++) {
  for (let i = 0; i < 4000; i++) {
    const wh = new Webhook(secrets);
    if (i % 1000 === 0) wh.verifySignature("{}", wh.sign("{}"));
  }
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  sizes.push(pages());
}
process.stdout.write(JSON.stringify(sizes));
`;

test(
  "Webhooks are freed in wasm when collected: memory stays flat over 48,000 of them",
  {
    skip: process.versions.bun ? "needs node --expose-gc" : false,
  },
  () => {
    const out = execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", CHILD], {
      encoding: "utf8",
      timeout: 60_000,
    });
    const sizes = JSON.parse(out);
    // A verifier with two keys holds ~1 KB of keyed HMAC states: 48,000 kept would be
    // ~750 pages (64 KiB each). Collected, the slab and the heap are reused.
    assert.ok(
      sizes.at(-1) - sizes[1] <= 4,
      `wasm memory grew from ${sizes[1]} to ${sizes.at(-1)} pages: ${sizes.join(", ")}`,
    );
  },
);
