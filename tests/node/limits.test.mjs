// Inputs at the edges of what the wasm modules hold: a diagnose of a huge, deeply nested
// body. Runs under Node, Node 24 and Bun.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Webhook } from "../../pkg/src/node.mjs";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER = "whsec_" + Buffer.from("another endpoint's key").toString("base64");
const T0 = 1_700_000_000;
const at = (seconds) => () => seconds * 1000;
const BODY = '{"type":"ping"}';

test("diagnose of a 66 MiB body of nested brackets with a wrong signature: bounded, a finding says what was skipped", () => {
  const wh = new Webhook(SECRET, { now: at(T0) });
  const half = 33 * 1024 * 1024;
  const body = Buffer.alloc(2 * half, "[");
  body.fill("]", half);
  const headers = new Webhook(OTHER).sign(body, { timestamp: T0 });
  const report = wh.diagnose(body, headers);
  assert.equal(report.verified, false);
  assert.equal(report.code, "no_matching_signature");
  assert.deepEqual(
    report.findings.map((f) => f.kind),
    ["body_checks_skipped"],
  );
  assert.match(report.findings[0].message, /69206016 bytes.*up to 1048576 bytes/);
  // The module is fine afterwards.
  wh.verify(BODY, wh.sign(BODY, { timestamp: T0 }));
  assert.equal(wh.diagnose(BODY + "\n", wh.sign(BODY, { timestamp: T0 })).findings[0].kind, "trailing_newline_added");
});
