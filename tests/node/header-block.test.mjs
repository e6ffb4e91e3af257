// The one reading of a pasted header block (the crate's HeaderBlock, which the sender's
// doctor uses too), through the tools module's parseHeaderBlock, and the playground's
// parseHeaders (www/parse.mjs) on top of it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { initSync, parseHeaderBlock } from "../../pkg/gen/hookproof_tools.mjs";
import { parseHeaders, deliveryTimestamp, EXPLANATIONS } from "../../www/parse.mjs";
import { ERROR_CODES } from "../../pkg/gen/schemes.mjs";

// What pkg/src/browser.mjs does in the playground.
initSync({ module: readFileSync(new URL("../../pkg/gen/hookproof_tools_bg.wasm", import.meta.url)) });

test("parseHeaderBlock: headers as written, noise tolerated, other lines skipped by number", () => {
  const block = parseHeaderBlock(
    "* Connected to localhost\r\n> POST /hook HTTP/1.1\r\n> Host: example:80\r\n> Webhook-Id:  msg_1 \r\n" +
      ":method: POST\r\n\r\nwebhook-id: msg_2\r\nnot a header\r\n",
  );
  assert.deepEqual(block.headers, [
    ["Host", "example:80"],
    ["Webhook-Id", "msg_1, msg_2"],
  ]);
  assert.deepEqual(block.skipped, [
    [1, "* Connected to localhost"],
    [8, "not a header"],
  ]);
  assert.deepEqual(parseHeaderBlock(""), { headers: [], skipped: [] });
});

test("parseHeaders reads lines, curl -H values and JSON by the same rule", () => {
  const lines = parseHeaders("POST /hook HTTP/1.1\nStripe-Signature: t=5,v1=ab\n{bad line}\n");
  assert.deepEqual([...lines.headers], [["stripe-signature", "t=5,v1=ab"]]);
  assert.deepEqual([...lines.names], [["stripe-signature", "Stripe-Signature"]]);
  assert.deepEqual(lines.skipped, ["{bad line}"]);
  assert.equal(deliveryTimestamp(lines.headers), 5);

  const curl = parseHeaders(`curl -H 'X-Slack-Request-Timestamp: 7' -H 'no colon' -H 'x-slack-signature: v0=ab' u`);
  assert.deepEqual(
    [...curl.headers],
    [
      ["x-slack-request-timestamp", "7"],
      ["x-slack-signature", "v0=ab"],
    ],
  );
  assert.deepEqual(curl.skipped, ["-H no colon"]);
  assert.equal(deliveryTimestamp(curl.headers), 7);

  const json = parseHeaders('{"svix-timestamp": "9", "svix-id": ["a", "b"]}');
  assert.equal(json.headers.get("svix-id"), "a, b");
  assert.equal(deliveryTimestamp(json.headers), 9);
  // Past the digits a timestamp may have: none.
  assert.equal(deliveryTimestamp(parseHeaders("webhook-timestamp: 1234567890123456").headers), null);
});

test("the playground explains every error code", () => {
  for (const code of ERROR_CODES) assert.equal(typeof EXPLANATIONS[code], "string", code);
  assert.deepEqual(Object.keys(EXPLANATIONS).sort(), [...ERROR_CODES].sort());
});
