// hookproof/stripe's constructEvent against stripe-node's own (stripe's
// generateTestHeaderString signs, hookproof verifies; hookproof signs, stripe verifies),
// and a header string given to Webhook.verify in place of the headers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import Stripe from "stripe";
import { Webhook, WebhookVerificationError } from "hookproof";
import { constructEvent, constructEventAsync } from "hookproof/stripe";

const require = createRequire(import.meta.url);
const stripe = new Stripe("sk_test_hookproof");
// Under Bun, stripe loads its web build, whose synchronous webhook API throws
// ("SubtleCryptoProvider cannot be used in a synchronous context"): a stripe limitation.
const stripeSync = process.versions.bun ? { skip: "stripe's sync webhook API is unavailable under Bun" } : {};
const SECRET = "whsec_stripe_compat_test";
const EVENT = {
  id: "evt_1",
  object: "event",
  api_version: "2025-01-27.acacia",
  created: 1_700_000_000,
  data: { object: { id: "in_1", object: "invoice", amount_paid: 1299 } },
  livemode: false,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  type: "invoice.paid",
};
const PAYLOAD = JSON.stringify(EVENT, null, 2);

function rejects(fn, code, pattern) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof WebhookVerificationError, `a WebhookVerificationError, not ${e}`);
    assert.equal(e.code, code);
    if (pattern) assert.match(e.message, pattern);
    assert.ok(!e.message.includes(SECRET), "the message holds the secret");
    return true;
  });
}

test("stripe's generateTestHeaderString -> hookproof/stripe constructEvent", stripeSync, () => {
  const header = stripe.webhooks.generateTestHeaderString({ payload: PAYLOAD, secret: SECRET });
  assert.deepEqual(constructEvent(PAYLOAD, header, SECRET), EVENT);
  assert.deepEqual(constructEvent(Buffer.from(PAYLOAD), Buffer.from(header), SECRET, 300), EVENT);
  // What stripe-node itself returns for the same arguments.
  assert.deepEqual(constructEvent(PAYLOAD, header, SECRET), stripe.webhooks.constructEvent(PAYLOAD, header, SECRET));
  rejects(() => constructEvent(PAYLOAD.replace("1299", "9900"), header, SECRET), "no_matching_signature");
  rejects(() => constructEvent(PAYLOAD, header, "whsec_another"), "no_matching_signature");
});

test("hookproof signs -> stripe-node's constructEvent and constructEventAsync accept it", async () => {
  const { "stripe-signature": header } = new Webhook(SECRET, { scheme: "stripe" }).sign(PAYLOAD);
  assert.deepEqual(await stripe.webhooks.constructEventAsync(PAYLOAD, header, SECRET), EVENT);
  if (!process.versions.bun) assert.deepEqual(stripe.webhooks.constructEvent(PAYLOAD, header, SECRET), EVENT);
  assert.deepEqual(await constructEventAsync(PAYLOAD, header, SECRET), EVENT);
});

test("tolerance and receivedAt as stripe-node reads them", () => {
  const wh = new Webhook(SECRET, { scheme: "stripe" });
  const t = 1_700_000_000;
  const { "stripe-signature": header } = wh.sign(PAYLOAD, { timestamp: t });
  // An hour old: refused at the default 300 s, accepted at 7200 s, and with 0 (no check).
  rejects(() => constructEvent(PAYLOAD, header, SECRET, undefined, undefined, (t + 3600) * 1000), "timestamp_too_old");
  assert.deepEqual(constructEvent(PAYLOAD, header, SECRET, 7200, undefined, (t + 3600) * 1000), EVENT);
  assert.deepEqual(constructEvent(PAYLOAD, header, SECRET, 0, undefined, (t + 3600) * 1000), EVENT);
  // Without receivedAt, now: the 2023 timestamp is far too old, unless the check is off.
  rejects(() => constructEvent(PAYLOAD, header, SECRET), "timestamp_too_old", /tolerance is 300 s/);
  assert.deepEqual(constructEvent(PAYLOAD, header, SECRET, -1), EVENT);
});

test("constructEvent's errors say what to pass", () => {
  const { "stripe-signature": header } = new Webhook(SECRET, { scheme: "stripe" }).sign(PAYLOAD);
  rejects(() => constructEvent(PAYLOAD, undefined, SECRET), "missing_header", /stripe-signature/i);
  rejects(() => constructEvent(PAYLOAD, [header], SECRET), "invalid_header", /array/);
  rejects(() => constructEvent(PAYLOAD, header, undefined), "invalid_secret", /environment variable/);
  rejects(() => constructEvent(JSON.parse(PAYLOAD), header, SECRET), "invalid_body_type", /raw/);
});

test("require('hookproof/stripe') is the same function, on the CommonJS bundle's instance", () => {
  const cjs = require("hookproof/stripe");
  const { WebhookVerificationError: CjsError } = require("hookproof");
  const { "stripe-signature": header } = new Webhook(SECRET, { scheme: "stripe" }).sign(PAYLOAD);
  assert.deepEqual(cjs.constructEvent(PAYLOAD, header, SECRET), EVENT);
  assert.throws(() => cjs.constructEvent(PAYLOAD, header, "whsec_another"), CjsError);
});

test("Webhook.verify takes the signature header's value as a string where it is the only header", () => {
  const wh = new Webhook(SECRET, { scheme: "stripe" });
  const { "stripe-signature": header } = wh.sign(PAYLOAD);
  assert.deepEqual(wh.verify(PAYLOAD, header), EVENT);
  assert.doesNotThrow(() => wh.verifySignature(PAYLOAD, header));
  rejects(() => wh.verify(PAYLOAD.replace("1299", "9900"), header), "no_matching_signature");

  const github = new Webhook("github secret", { scheme: "github" });
  assert.deepEqual(github.verify(PAYLOAD, github.sign(PAYLOAD)["x-hub-signature-256"]), EVENT);
});

test("a header string for a scheme that reads several headers: the message names the fix", () => {
  const wh = new Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", { scheme: "standard" });
  const signed = wh.sign(PAYLOAD);
  rejects(
    () => wh.verify(PAYLOAD, signed["webhook-signature"]),
    "missing_header",
    /a string is read as the webhook-signature header's value, and the standard scheme also needs webhook-id, webhook-timestamp: pass the request's headers/,
  );
  assert.deepEqual(wh.verify(PAYLOAD, signed), EVENT);
});
