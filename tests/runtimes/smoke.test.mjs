// Cross-runtime smoke test of the package's ES module entry, node:test based: run by
// tests/runtimes/run.sh under Bun (`bun test`) and Node 24 (`node --test`), next to the
// tests/node suite. Signatures are checked against node:crypto as an independent oracle.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { Webhook, WebhookVerificationError, detectScheme, verifyRequest } from "../../pkg/src/node.mjs";

const runtime = typeof Bun !== "undefined" ? `bun ${Bun.version}` : `node ${process.version}`;
const KEY = Buffer.from("hookproof-runtime-test-key-32byte");
const WHSEC = "whsec_" + KEY.toString("base64");
const NOW = 1_700_000_000;
const clock = () => NOW * 1000;
const body = JSON.stringify({ type: "ping", runtime });

test(`[${runtime}] standard: sign/verify and matches node:crypto`, () => {
  const wh = new Webhook(WHSEC, { now: clock });
  const headers = wh.sign(body, { id: "msg_1", timestamp: NOW });
  const mac = createHmac("sha256", KEY).update(`msg_1.${NOW}.${body}`).digest("base64");
  assert.equal(headers["webhook-signature"], `v1,${mac}`);
  assert.deepEqual(wh.verify(body, headers), JSON.parse(body));
  assert.deepEqual(wh.verify(new TextEncoder().encode(body), new Headers(headers)), JSON.parse(body));
  assert.equal(detectScheme(headers), "standard");
});

test(`[${runtime}] stripe, github, shopify signatures match node:crypto`, () => {
  const secret = "whsec_plain_stripe_style";
  const hex = (s) => createHmac("sha256", secret).update(s).digest("hex");
  const stripe = new Webhook(secret, { scheme: "stripe", now: clock });
  const sh = stripe.sign(body, { timestamp: NOW });
  assert.equal(sh["stripe-signature"], `t=${NOW},v1=${hex(`${NOW}.${body}`)}`);
  stripe.verifySignature(body, sh);

  const github = new Webhook(secret, { scheme: "github" });
  github.verifySignature(body, { "X-Hub-Signature-256": `sha256=${hex(body)}` });

  const shopify = new Webhook(secret, { scheme: "shopify" });
  const b64 = createHmac("sha256", secret).update(body).digest("base64");
  shopify.verifySignature(Buffer.from(body), { "X-Shopify-Hmac-Sha256": b64 });
});

test(`[${runtime}] errors carry codes and are WebhookVerificationError`, () => {
  const wh = new Webhook(WHSEC, { now: clock });
  const headers = wh.sign(body, { id: "msg_2", timestamp: NOW });
  const expectCode = (code, fn) =>
    assert.throws(fn, (e) => e instanceof WebhookVerificationError && e instanceof Error && e.code === code);
  expectCode("no_matching_signature", () => wh.verify(body + " ", headers));
  expectCode("no_matching_signature", () =>
    wh.verify(body, { ...headers, "webhook-signature": "v1," + Buffer.alloc(32).toString("base64") }),
  );
  expectCode("missing_header", () => wh.verify(body, { "webhook-id": "msg_2" }));
  expectCode("timestamp_too_old", () => new Webhook(WHSEC, { now: () => (NOW + 3600) * 1000 }).verify(body, headers));
  expectCode("invalid_body_type", () => wh.verify(JSON.parse(body), headers));
  expectCode("invalid_secret", () => new Webhook("not-whsec"));
  expectCode("invalid_option", () => new Webhook(WHSEC, { scheme: "nope" }));
});

test(`[${runtime}] verifyRequest on a Fetch Request`, async () => {
  const wh = new Webhook(WHSEC);
  const headers = wh.sign(body);
  const req = () => new Request("http://127.0.0.1/hook", { method: "POST", headers, body });
  assert.deepEqual(await verifyRequest(req(), WHSEC), JSON.parse(body));
  await assert.rejects(verifyRequest(req(), "whsec_" + Buffer.from("other").toString("base64")), {
    code: "no_matching_signature",
  });
});
