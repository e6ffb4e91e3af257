// README.md's JS API summary (between #region and #endregion), run on deliveries signed
// here: `node api.mjs`.
import assert from "node:assert/strict";

const secretOrSecrets = ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_b2xkIHNlY3JldCBkdXJpbmcgcm90YXRpb24="];
const [secret] = secretOrSecrets;
const body = JSON.stringify({ type: "order.paid", data: { amount: 42 } });
const id = "msg_1";
const timestamp = new Date();
const scheme = "standard";
const limit = 1024 * 1024;
const headers = new Webhook(secret).sign(body, { id, timestamp });
const request = new Request("http://127.0.0.1/hooks", { method: "POST", headers, body });

// #region api
import { Webhook, verifyRequest, detectScheme } from "hookproof";
const wh = new Webhook(secretOrSecrets, { scheme: "standard", toleranceSeconds: 300 });
const event = wh.verify(body, headers); // body: string | Uint8Array | ArrayBuffer | Buffer
wh.verifySignature(body, headers); // the same checks, no JSON parsing (any bytes)
const hdrs = wh.sign(body, { id, timestamp }); // lower-case header names that verify accepts
const event2 = await verifyRequest(request, secret, { scheme, limit }); // Fetch API Request
detectScheme(headers); // "stripe", "github", ... or null
// #endregion

assert.deepEqual(event, JSON.parse(body));
assert.deepEqual(event2, event);
assert.equal(hdrs["webhook-id"], id);
assert.equal(detectScheme(headers), "standard");
