// Standard Webhooks' asymmetric signatures (v1a, Ed25519), both directions with
// node:crypto's Ed25519 (OpenSSL), an independent implementation: its signatures verify
// with a whpk_ key, and what a whsk_ key signs verifies with node:crypto.
import { test } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync, sign, verify } from "node:crypto";
import { Webhook, WebhookVerificationError } from "../../pkg/src/node.mjs";

const BODY = JSON.stringify({ type: "invoice.paid", data: { id: "in_1", amount: 1299 } });
const NOW = 1_700_000_000;
const now = () => NOW * 1000;

/** A fresh key pair as node:crypto makes it, and as whsk_ / whpk_ strings. */
function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const jwk = privateKey.export({ format: "jwk" });
  const seed = Buffer.from(jwk.d, "base64url");
  const pub = Buffer.from(jwk.x, "base64url");
  return {
    privateKey,
    publicKey,
    whsk: "whsk_" + seed.toString("base64"),
    whskPair: "whsk_" + Buffer.concat([seed, pub]).toString("base64"),
    whpk: "whpk_" + pub.toString("base64"),
  };
}

function signedBytes(id, ts, body) {
  return Buffer.from(`${id}.${ts}.${body}`);
}

test("node:crypto's v1a signatures verify with the whpk_ key (and the whsk_ one)", () => {
  for (let i = 0; i < 5; i++) {
    const k = keyPair();
    const id = `msg_${i}`;
    const signature = sign(null, signedBytes(id, NOW, BODY), k.privateKey).toString("base64");
    const headers = { "webhook-id": id, "webhook-timestamp": String(NOW), "webhook-signature": `v1a,${signature}` };
    for (const key of [k.whpk, k.whsk, k.whskPair]) {
      assert.deepEqual(new Webhook(key, { now }).verify(BODY, headers), JSON.parse(BODY));
    }
    // svix's names, bytes bodies, and a list with other entries.
    const svix = { "svix-id": id, "svix-timestamp": String(NOW), "svix-signature": `v1,AAAA v1a,${signature}` };
    new Webhook(k.whpk, { scheme: "svix", now }).verifySignature(Buffer.from(BODY), svix);
    // One changed byte, another key.
    assert.throws(() => new Webhook(k.whpk, { now }).verify(BODY + " ", headers), {
      code: "no_matching_signature",
    });
    assert.throws(() => new Webhook(keyPair().whpk, { now }).verify(BODY, headers), {
      code: "no_matching_signature",
    });
  }
});

test("what a whsk_ key signs verifies with node:crypto", () => {
  for (let i = 0; i < 5; i++) {
    const k = keyPair();
    const headers = new Webhook(k.whsk, { now }).sign(BODY, { id: `msg_${i}` });
    const [version, signature] = headers["webhook-signature"].split(",");
    assert.equal(version, "v1a");
    const bytes = signedBytes(headers["webhook-id"], headers["webhook-timestamp"], BODY);
    assert.ok(verify(null, bytes, k.publicKey, Buffer.from(signature, "base64")));
    assert.ok(!verify(null, Buffer.concat([bytes, Buffer.from(" ")]), k.publicKey, Buffer.from(signature, "base64")));
    // Ed25519 is deterministic: node:crypto signs the same bytes the same way.
    assert.equal(sign(null, bytes, k.privateKey).toString("base64"), signature);
  }
});

test("a rotation from a whsec_ secret to an Ed25519 key signs both; each verifies alone", () => {
  const k = keyPair();
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const headers = new Webhook([secret, k.whsk], { now }).sign(BODY);
  assert.match(headers["webhook-signature"], /^v1,\S+ v1a,\S+$/);
  for (const key of [secret, k.whpk]) new Webhook(key, { now }).verify(BODY, headers);
});

test("a whpk_ key cannot sign; bad keys are invalid_secret without the key in the message", () => {
  const k = keyPair();
  assert.throws(
    () => new Webhook(k.whpk).sign(BODY),
    (e) => {
      assert.ok(e instanceof WebhookVerificationError);
      assert.equal(e.code, "invalid_secret");
      assert.match(e.message, /whsk_/);
      return true;
    },
  );
  for (const bad of ["whpk_AAAA", "whpk_" + k.whpk.slice(5, 20), "whsk_not base64!", "whsk_AAAA"]) {
    assert.throws(
      () => new Webhook(bad),
      (e) => {
        assert.equal(e.code, "invalid_secret", bad);
        assert.ok(!e.message.includes(bad.slice(5)), e.message);
        return true;
      },
    );
  }
});

test("the doctor works with an Ed25519 key", () => {
  const k = keyPair();
  const wh = new Webhook(k.whsk, { now });
  const headers = wh.sign(BODY);
  assert.equal(wh.diagnose(BODY, headers).verified, true);
  const report = new Webhook(k.whpk, { now }).diagnose(JSON.stringify(JSON.parse(BODY), null, 2), headers);
  assert.equal(report.verified, false);
  assert.equal(report.code, "no_matching_signature");
  // The doctor finds the re-serialized body with the public key as with a secret.
  assert.deepEqual(
    report.findings.map((f) => f.kind),
    ["body_reserialized"],
  );
});
