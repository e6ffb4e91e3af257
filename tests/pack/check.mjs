// Run in the scratch project that installed the packed tarball: import "hookproof".
// Under Node, Bun and Deno (node_modules resolution through package.json "exports").
import assert from "node:assert/strict";
import { Webhook, WebhookVerificationError, detectScheme, eventType, typedEvent, verifyRequest } from "hookproof";
import { constructEvent } from "hookproof/stripe";

const runtime =
  typeof Deno !== "undefined"
    ? `deno ${Deno.version.deno}`
    : typeof Bun !== "undefined"
      ? `bun ${Bun.version}`
      : `node ${process.version}`;
const resolved = import.meta.resolve("hookproof");
assert.match(resolved, /node_modules\/hookproof\/src\/node\.mjs$/, `resolved to ${resolved}`);

const secret = "whsec_" + btoa("packed tarball test key");
const body = JSON.stringify({ type: "ping", via: "import" });
const wh = new Webhook(secret);
const headers = wh.sign(body);
assert.deepEqual(wh.verify(body, headers), JSON.parse(body));
assert.equal(detectScheme(headers), "standard");
assert.equal(eventType(headers, wh.verify(body, headers)), "ping");
assert.deepEqual(typedEvent({ "x-github-event": "push" }, {}), { type: "push", event: {} });
const stripe = new Webhook("whsec_plain", { scheme: "stripe" });
stripe.verifySignature(new TextEncoder().encode(body), stripe.sign(body));
assert.deepEqual(constructEvent(body, stripe.sign(body)["stripe-signature"], "whsec_plain"), JSON.parse(body));
const stale = wh.sign(body, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
assert.throws(
  () => wh.verify(body, stale),
  (e) => e instanceof WebhookVerificationError && e.code === "timestamp_too_old",
);
const request = new Request("http://127.0.0.1/", { method: "POST", headers, body });
assert.deepEqual(await verifyRequest(request, secret), JSON.parse(body));
console.log(`pack: import "hookproof" ok under ${runtime} (${resolved.split("node_modules/").pop()})`);
