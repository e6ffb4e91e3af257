// Strings with any Unicode content, as bodies, header values, secrets, in sign and
// diagnose: the regression cases, then the properties of tests/properties/strings.mjs
// (also run by Deno and workerd), then random strings both ways with the official
// libraries (standardwebhooks, svix, stripe, @octokit/webhooks-methods).
// Runs under Node, Node 24 and Bun (tests/runtimes). HOOKPROOF_PROPTEST_CASES: cases per
// property (default: a smoke run of seconds); HOOKPROOF_PROPTEST_SEED: replay a run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import Stripe from "stripe";
import { sign as octokitSign, verify as octokitVerify } from "@octokit/webhooks-methods";
import * as hookproof from "../../pkg/src/node.mjs";
import { properties, random, randomString, settings } from "../properties/strings.mjs";

const { Webhook } = hookproof;
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const run = settings(process.env.HOOKPROOF_PROPTEST_CASES, process.env.HOOKPROOF_PROPTEST_SEED);

test("a string body whose UTF-8 outgrows its length still leaves the headers room (standard)", () => {
  const body = JSON.stringify({ type: "order.created", data: { note: "é".repeat(200) } });
  const wh = new Webhook(SECRET);
  assert.deepEqual(wh.verify(body, wh.sign(body)), JSON.parse(body));
});

test("a string body whose UTF-8 outgrows its length still leaves the headers room (stripe)", () => {
  const body = "北京市朝阳区建国路88号".repeat(9);
  const wh = new Webhook("whsec_stripe_unicode", { scheme: "stripe" });
  wh.verifySignature(body, wh.sign(body));
});

test("every string body length from 0 to 1,300 bytes of multi-byte text verifies", () => {
  const wh = new Webhook(SECRET, { now: () => 1_700_000_000_000 });
  for (const unit of ["é", "北", "😀", "\ud800"]) {
    for (let n = 0; n * unit.length <= 1300; n++) {
      const body = unit.repeat(n);
      wh.verifySignature(body, wh.sign(body, { id: "msg_" + n, timestamp: 1_700_000_000 }));
    }
  }
});

for (const [name, fn] of properties(hookproof, run)) test(name, fn);

/** A Standard Webhooks secret of 16 to 64 random bytes (`whsec_` and their base64). */
const randomWhsec = (r) =>
  "whsec_" + Buffer.from(Array.from({ length: r.int(16, 64) }, () => r.int(0, 255))).toString("base64");

/** `s` as the content of a JSON string: raw (lone surrogates too), escaping only what JSON must. */
const jsonText = (s) =>
  [...s]
    .map((c) => (c === '"' || c === "\\" || c < " " ? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}` : c))
    .join("");

// The official libraries sign the string themselves (lone surrogates as U+FFFD, as
// TextEncoder does): what they send verifies, as a string and as a Buffer.
const stripe = new Stripe("sk_test_unicode");
test(`the official libraries' signatures over random strings verify (${run.cases} cases, HOOKPROOF_PROPTEST_SEED=${run.seed})`, async () => {
  const r = random(run.seed ^ 0x6);
  const ts = Math.floor(Date.now() / 1000);
  for (let i = 0; i < run.cases; i++) {
    const body = randomString(r);
    const context = `case ${i} (HOOKPROOF_PROPTEST_SEED=${run.seed}): ${body.length} units, ${JSON.stringify(body.slice(0, 60))}`;
    // Random keys: whsec_ of random bytes, and any string (Shopify's, GitHub's and Stripe's
    // key is its UTF-8 bytes).
    const whsec = randomWhsec(r);
    const secret = "k" + randomString(r, 64);
    const deliveries = [
      [
        "standard",
        whsec,
        {
          "webhook-id": `msg_${i}`,
          "webhook-timestamp": String(ts),
          "webhook-signature": new StandardWebhook(whsec).sign(`msg_${i}`, new Date(ts * 1000), body),
        },
      ],
      [
        "svix",
        whsec,
        {
          "svix-id": `msg_${i}`,
          "svix-timestamp": String(ts),
          "svix-signature": new SvixWebhook(whsec).sign(`msg_${i}`, new Date(ts * 1000), body),
        },
      ],
      ["shopify", secret, { "x-shopify-hmac-sha256": createHmac("sha256", secret).update(body).digest("base64") }],
    ];
    // @octokit/webhooks-methods refuses to sign an empty payload.
    if (body !== "") {
      deliveries.push(["github", secret, { "x-hub-signature-256": await octokitSign(secret, body) }]);
    }
    // Under Bun, stripe loads its web build, whose synchronous API throws.
    if (!process.versions.bun) {
      const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: ts });
      deliveries.push(["stripe", secret, { "stripe-signature": header }]);
    }
    for (const [scheme, secret, headers] of deliveries) {
      const wh = new Webhook(secret, { scheme });
      assert.doesNotThrow(() => wh.verifySignature(body, headers), `${scheme} ${context}`);
      assert.doesNotThrow(() => wh.verifySignature(Buffer.from(body), headers), `${scheme} ${context} (Buffer)`);
    }
  }
});

// The other way: what hookproof signs, over random strings and with random secrets, the
// official libraries verify. Their verify parses the body as JSON (all but octokit's), so
// the random text is the raw content of a JSON string there; octokit's takes it as it is.
test(`hookproof's signatures over random strings verify with the official libraries (${run.cases} cases, HOOKPROOF_PROPTEST_SEED=${run.seed})`, async () => {
  const r = random(run.seed ^ 0x7);
  const ts = Math.floor(Date.now() / 1000);
  for (let i = 0; i < run.cases; i++) {
    const text = randomString(r);
    const body = `{"id":"evt_${i}","object":"event","note":"${jsonText(text)}"}`;
    // Any string secret: Stripe's and GitHub's key is its UTF-8 bytes; any whsec_ key.
    const secret = "k" + randomString(r, 64);
    const whsec = randomWhsec(r);
    const context = `case ${i} (HOOKPROOF_PROPTEST_SEED=${run.seed}): ${text.length} units, ${JSON.stringify(text.slice(0, 60))}`;
    const signed = (scheme, key, payload) =>
      new Webhook(key, { scheme }).sign(payload, { id: `msg_${i}`, timestamp: ts });
    assert.doesNotThrow(
      () => new StandardWebhook(whsec).verify(body, signed("standard", whsec, body)),
      `standard ${context}`,
    );
    assert.doesNotThrow(() => new SvixWebhook(whsec).verify(body, signed("svix", whsec, body)), `svix ${context}`);
    // Under Bun, stripe loads its web build, whose synchronous API throws.
    if (!process.versions.bun) {
      const header = signed("stripe", secret, body)["stripe-signature"];
      assert.doesNotThrow(() => stripe.webhooks.constructEvent(body, header, secret), `stripe ${context}`);
      assert.doesNotThrow(
        () => stripe.webhooks.constructEvent(Buffer.from(body), header, secret),
        `stripe ${context} (Buffer)`,
      );
    }
    // @octokit/webhooks-methods refuses an empty payload.
    if (text !== "") {
      const header = signed("github", secret, text)["x-hub-signature-256"];
      assert.equal(await octokitVerify(secret, text, header), true, `github ${context}`);
    }
  }
});
