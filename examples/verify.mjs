// pkg/README.md's first snippet (between #region and #endregion), run on a delivery signed
// here: `node verify.mjs`.
import assert from "node:assert/strict";
import { Webhook as Provider } from "hookproof";

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const rawBody = JSON.stringify({ id: "evt_1", object: "event", type: "invoice.paid" });
const headers = new Provider(secret, { scheme: "stripe" }).sign(rawBody);

// #region verify
import { Webhook } from "hookproof";
const wh = new Webhook(secret, { scheme: "stripe" }); // the endpoint's signing secret; default scheme "standard"
const event = wh.verify(rawBody, headers); // the exact raw bytes (string, Buffer, Uint8Array); throws WebhookVerificationError
// #endregion

assert.deepEqual(event, JSON.parse(rawBody));
