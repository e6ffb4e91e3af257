// README.md's doctor snippet (between #region and #endregion), run on a delivery whose
// body was re-serialized after signing: `node doctor.mjs`.
import assert from "node:assert/strict";
import { Webhook } from "hookproof";

const signed = JSON.stringify({ type: "order.paid", data: { amount: 42 } }, null, 2);
const wh = new Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
const headers = wh.sign(signed);
const body = JSON.stringify(JSON.parse(signed)); // what a JSON body parser gives back

// #region doctor
const report = wh.diagnose(body, headers); // never throws
// { verified: false, code: "no_matching_signature", message: "...",
//   findings: [{ kind: "body_reserialized", message: "the body was re-serialized: the provider
//   signed JSON pretty-printed with 2 spaces; verify the exact raw bytes received (...)" }] }
// #endregion

assert.equal(report.verified, false);
assert.equal(report.code, "no_matching_signature");
assert.equal(report.findings[0].kind, "body_reserialized");
assert.match(report.findings[0].message, /pretty-printed with 2 spaces/);
