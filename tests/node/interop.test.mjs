// Interoperability, both directions, with the providers' official npm libraries:
// their signatures verify with hookproof, and hookproof's verify with theirs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import Stripe from "stripe";
import { sign as octokitSign, verify as octokitVerify } from "@octokit/webhooks-methods";
import { Webhook } from "../../pkg/src/node.mjs";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const STRIPE_SECRET = "whsec_test_0123456789abcdef";
const BODY = JSON.stringify({ id: "evt_1", object: "event", type: "invoice.paid", data: { object: { amount: 1299 } } });
const stripe = new Stripe("sk_test_interop");
// Under Bun, stripe loads its web build, whose synchronous webhook functions throw
// ("SubtleCryptoProvider cannot be used in a synchronous context"): a stripe limitation.
const stripeSync = process.versions.bun ? { skip: "stripe's sync webhook API is unavailable under Bun" } : {};

test("standardwebhooks -> hookproof", () => {
  const theirs = new StandardWebhook(SECRET);
  const now = new Date();
  const headers = {
    "webhook-id": "msg_interop",
    "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
    "webhook-signature": theirs.sign("msg_interop", now, BODY),
  };
  assert.deepEqual(new Webhook(SECRET).verify(BODY, headers), JSON.parse(BODY));
});

test("hookproof -> standardwebhooks", () => {
  const headers = new Webhook(SECRET).sign(BODY, { id: "msg_ours" });
  assert.deepEqual(new StandardWebhook(SECRET).verify(BODY, headers), JSON.parse(BODY));
  assert.throws(() => new StandardWebhook(SECRET).verify(BODY + " ", headers));
});

test("svix -> hookproof and hookproof -> svix", () => {
  const theirs = new SvixWebhook(SECRET);
  const now = new Date();
  const headers = {
    "svix-id": "msg_svix",
    "svix-timestamp": String(Math.floor(now.getTime() / 1000)),
    "svix-signature": theirs.sign("msg_svix", now, BODY),
  };
  assert.deepEqual(new Webhook(SECRET, { scheme: "svix" }).verify(BODY, headers), JSON.parse(BODY));
  const ours = new Webhook(SECRET, { scheme: "svix" }).sign(BODY);
  assert.deepEqual(theirs.verify(BODY, ours), JSON.parse(BODY));
  // svix also reads webhook-* headers: our standard signature is theirs too, and our svix
  // scheme reads them as theirs does (Svix sends them for unbranded apps).
  const unbranded = {
    "webhook-id": "msg_svix",
    "webhook-timestamp": headers["svix-timestamp"],
    "webhook-signature": headers["svix-signature"],
  };
  assert.deepEqual(theirs.verify(BODY, unbranded), JSON.parse(BODY));
  assert.deepEqual(new Webhook(SECRET, { scheme: "svix" }).verify(BODY, unbranded), JSON.parse(BODY));
  assert.deepEqual(new Webhook(SECRET, { scheme: "svix" }).verify(BODY, new Headers(unbranded)), JSON.parse(BODY));
  assert.deepEqual(theirs.verify(BODY, new Webhook(SECRET).sign(BODY)), JSON.parse(BODY));
});

test("stripe generateTestHeaderString -> hookproof", stripeSync, () => {
  const header = stripe.webhooks.generateTestHeaderString({ payload: BODY, secret: STRIPE_SECRET });
  const event = new Webhook(STRIPE_SECRET, { scheme: "stripe" }).verify(BODY, { "stripe-signature": header });
  assert.equal(event.type, "invoice.paid");
});

test("hookproof -> stripe constructEventAsync", async () => {
  const headers = new Webhook(STRIPE_SECRET, { scheme: "stripe" }).sign(BODY);
  const event = await stripe.webhooks.constructEventAsync(
    Buffer.from(BODY),
    headers["stripe-signature"],
    STRIPE_SECRET,
  );
  assert.equal(event.id, "evt_1");
  await assert.rejects(stripe.webhooks.constructEventAsync(BODY, headers["stripe-signature"], "whsec_other"));
});

test("hookproof -> stripe constructEvent", stripeSync, () => {
  const headers = new Webhook(STRIPE_SECRET, { scheme: "stripe" }).sign(BODY);
  assert.equal(stripe.webhooks.constructEvent(BODY, headers["stripe-signature"], STRIPE_SECRET).id, "evt_1");
  assert.throws(() => stripe.webhooks.constructEvent(BODY, headers["stripe-signature"], "whsec_other"));
  // Vector uses the Stripe rule: Stripe's library accepts a Vector signature too.
  const vector = new Webhook(STRIPE_SECRET, { scheme: "vector" }).sign(BODY);
  assert.equal(stripe.webhooks.constructEvent(BODY, vector["x-vector-signature"], STRIPE_SECRET).id, "evt_1");
});

test("@octokit/webhooks-methods both ways", async () => {
  const secret = "octo secret";
  const theirs = await octokitSign(secret, BODY);
  new Webhook(secret, { scheme: "github" }).verifySignature(BODY, { "x-hub-signature-256": theirs });
  const ours = new Webhook(secret, { scheme: "github" }).sign(BODY)["x-hub-signature-256"];
  assert.equal(ours, theirs);
  assert.equal(await octokitVerify(secret, BODY, ours), true);
  assert.equal(await octokitVerify("other", BODY, ours), false);
  // During a rotation GitHub's header still carries one signature: the first secret's.
  const rotating = new Webhook([secret, "old secret"], { scheme: "github" }).sign(BODY)["x-hub-signature-256"];
  assert.equal(rotating, theirs);
  assert.equal(await octokitVerify(secret, BODY, rotating), true);
});
