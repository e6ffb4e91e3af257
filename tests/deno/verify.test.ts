// Deno suite (run by tests/runtimes/run.sh): the package imported both by file path and
// by the bare name "hookproof" (import map in deno.json), typed by pkg/index.d.ts so that
// `deno test` also type-checks this file against the published declarations.
// @ts-types="../../pkg/index.d.ts"
import * as byPath from "../../pkg/src/node.mjs";
// @ts-types="../../pkg/index.d.ts"
import * as byName from "hookproof";
import type { Scheme, WebhookErrorCode } from "../../pkg/index.d.ts";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";

const { Webhook, WebhookVerificationError, detectScheme, verifyRequest } = byName;

const KEY = new TextEncoder().encode("hookproof-deno-test-key-32-bytes");
const WHSEC = "whsec_" + btoa(String.fromCharCode(...KEY));
const NOW = 1_700_000_000;
const clock = () => NOW * 1000;
const body = JSON.stringify({ type: "ping", runtime: `deno ${Deno.version.deno}` });

function expectCode(code: WebhookErrorCode, fn: () => unknown) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof WebhookVerificationError, `not a WebhookVerificationError: ${e}`);
    assert.ok(e instanceof byPath.WebhookVerificationError);
    assert.ok(e instanceof Error);
    assert.equal(e.name, "WebhookVerificationError");
    assert.equal(e.code, code);
    return true;
  });
}

Deno.test("the file import and the bare 'hookproof' import are one module", () => {
  assert.equal(byPath.Webhook, byName.Webhook);
  assert.equal(byPath.WebhookVerificationError, byName.WebhookVerificationError);
  assert.deepEqual(Object.keys(byName).sort(), [
    "ReplayGuard",
    "Webhook",
    "WebhookVerificationError",
    "deliveryId",
    "deliveryKey",
    "detectScheme",
    "eventType",
    "memoryStore",
    "typedEvent",
    "verifyRequest",
  ]);
});

Deno.test("eventType names a verified event, from its headers or its body", () => {
  const wh = new byName.Webhook(WHSEC, { now: clock });
  const headers = wh.sign(body, { timestamp: NOW });
  assert.equal(byName.eventType(headers, wh.verify(body, headers)), "ping");
  assert.equal(byName.eventType({ "X-Shopify-Topic": "orders/paid" }, {}), "orders/paid");
});

Deno.test("standard signature matches node:crypto and verifies", () => {
  const wh = new Webhook(WHSEC, { now: clock });
  const headers = wh.sign(body, { id: "msg_1", timestamp: NOW });
  const mac = createHmac("sha256", KEY).update(`msg_1.${NOW}.${body}`).digest("base64");
  assert.equal(headers["webhook-signature"], `v1,${mac}`);
  assert.deepEqual(wh.verify(body, headers), JSON.parse(body));
  assert.deepEqual(wh.verify(new TextEncoder().encode(body), new Headers(headers)), JSON.parse(body));
  assert.equal(detectScheme(headers), "standard");
});

Deno.test("every scheme: sign with one import, verify with the other", () => {
  const schemes: Scheme[] = ["standard", "svix", "stripe", "vector", "github", "vercel", "slack", "shopify", "generic"];
  for (const scheme of schemes) {
    const secret = scheme === "standard" || scheme === "svix" ? WHSEC : "s3cr3t-" + scheme;
    const headers = new byPath.Webhook(secret, { scheme, now: clock }).sign(body, { id: "msg_x", timestamp: NOW });
    assert.equal(detectScheme(headers), scheme);
    const wh = new byName.Webhook(secret, { scheme, now: clock });
    assert.equal(wh.scheme, scheme);
    assert.deepEqual(wh.verify(body, headers), JSON.parse(body), scheme);
  }
});

Deno.test("github and stripe headers computed by hand are accepted", () => {
  const secret = "plain-secret";
  const hex = (s: string) => createHmac("sha256", secret).update(s).digest("hex");
  new Webhook(secret, { scheme: "github" }).verifySignature(body, { "X-Hub-Signature-256": `sha256=${hex(body)}` });
  new Webhook(secret, { scheme: "stripe", now: clock }).verifySignature(body, {
    "Stripe-Signature": `t=${NOW},v1=${hex(`${NOW}.${body}`)}`,
  });
});

Deno.test("forged, tampered, stale and malformed deliveries are rejected with their code", () => {
  const wh = new Webhook(WHSEC, { now: clock });
  const headers = wh.sign(body, { id: "msg_2", timestamp: NOW });
  const forged = { ...headers, "webhook-signature": "v1," + btoa("\0".repeat(32)) };
  expectCode("no_matching_signature", () => wh.verify(body, forged));
  expectCode("no_matching_signature", () => wh.verify(body.replace("ping", "pong"), headers));
  expectCode("no_matching_signature", () =>
    new Webhook("whsec_" + btoa("another key"), { now: clock }).verify(body, headers),
  );
  expectCode("timestamp_too_old", () => new Webhook(WHSEC, { now: () => (NOW + 3600) * 1000 }).verify(body, headers));
  expectCode("missing_header", () => wh.verify(body, { "webhook-id": "msg_2" }));
  expectCode("invalid_body_type", () => wh.verify(JSON.parse(body), headers));
  expectCode("invalid_secret", () => new Webhook("not-a-whsec"));
  expectCode("invalid_option", () => new Webhook(WHSEC, { scheme: "nope" as Scheme }));
});

Deno.test("verifyRequest on a Fetch Request", async () => {
  const headers = new Webhook(WHSEC).sign(body);
  const req = () => new Request("http://127.0.0.1/hook", { method: "POST", headers, body });
  assert.deepEqual(await verifyRequest(req(), WHSEC), JSON.parse(body));
  await assert.rejects(verifyRequest(req(), "whsec_" + btoa("other")), (e: unknown) => {
    assert.ok(e instanceof WebhookVerificationError);
    assert.equal(e.code, "no_matching_signature");
    return true;
  });
});

Deno.test("v1a (Ed25519): WebCrypto's signatures verify with the whpk_ key, and the reverse", async () => {
  const { privateKey, publicKey } = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const b64 = (bytes: ArrayBuffer | Uint8Array) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
  const whpk = "whpk_" + b64(await crypto.subtle.exportKey("raw", publicKey));
  const seed = (await crypto.subtle.exportKey("jwk", privateKey)).d!;
  const whsk = "whsk_" + b64(Uint8Array.from(atob(seed.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)));
  const signed = new TextEncoder().encode(`msg_ed.${NOW}.${body}`);
  const theirs = b64(await crypto.subtle.sign("Ed25519", privateKey, signed));
  const headers = { "webhook-id": "msg_ed", "webhook-timestamp": String(NOW), "webhook-signature": `v1a,${theirs}` };
  assert.deepEqual(new Webhook(whpk, { now: clock }).verify(body, headers), JSON.parse(body));
  expectCode("no_matching_signature", () => new Webhook(whpk, { now: clock }).verify(body + " ", headers));
  const ours = new Webhook(whsk, { now: clock }).sign(body, { id: "msg_ed", timestamp: NOW })["webhook-signature"];
  assert.equal(ours, `v1a,${theirs}`); // Ed25519 is deterministic
  const sig = Uint8Array.from(atob(ours.slice(4)), (c) => c.charCodeAt(0));
  assert.ok(await crypto.subtle.verify("Ed25519", publicKey, sig, signed));
  expectCode("invalid_secret", () => new Webhook(whpk).sign(body));
});
