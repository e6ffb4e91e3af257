// The package's CommonJS entry (require), on the built pkg/.
const { test } = require("node:test");
const assert = require("node:assert/strict");
const { Webhook, WebhookVerificationError, verifyRequest, detectScheme } = require("../../pkg");

const BODY = '{"type":"ping"}';

test("require('hookproof') signs and verifies every scheme", () => {
  for (const scheme of ["standard", "svix", "stripe", "vector", "github", "vercel", "slack", "shopify", "generic"]) {
    const wh = new Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", { scheme });
    const headers = wh.sign(Buffer.from(BODY));
    assert.equal(detectScheme(headers), scheme);
    assert.deepEqual(wh.verify(BODY, headers), { type: "ping" });
  }
});

test("errors are WebhookVerificationError with a code", async () => {
  const wh = new Webhook("s3cret", { scheme: "github" });
  assert.throws(
    () => wh.verify(BODY, { "x-hub-signature-256": "sha256=00" }),
    (e) => {
      return e instanceof WebhookVerificationError && e.code === "no_matching_signature";
    },
  );
  const request = new Request("http://localhost/", { method: "POST", body: BODY, headers: wh.sign(BODY) });
  assert.deepEqual(await verifyRequest(request, "s3cret", { scheme: "github" }), { type: "ping" });
});

test("require('hookproof'): v1a (Ed25519) signed with a whsk_ key verifies with its whpk_ key", () => {
  // The key pair of verifier/tests/asymmetric.rs (made with node:crypto).
  const secretKey = "whsk_/YyuGMYXv+hNh+3l8AklpERlqjSVPw1uc0txT7pLZF0=";
  const publicKey = "whpk_HPrKjlN28DWaN5yx0n+RYd/7CqfvSKFqEGsKKtfsWac=";
  const headers = new Webhook(secretKey).sign(BODY);
  assert.match(headers["webhook-signature"], /^v1a,/);
  assert.deepEqual(new Webhook(publicKey).verify(BODY, headers), { type: "ping" });
  assert.throws(() => new Webhook(publicKey).verify(BODY + " ", headers), { code: "no_matching_signature" });
});
