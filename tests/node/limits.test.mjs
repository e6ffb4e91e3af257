// Inputs at the edges of what the wasm modules hold: a body past wasm32's reach, a clock
// that returns NaN, a tolerance past the bound, a diagnose of a huge deeply nested body,
// and a module that traps (its memory exhausted): no call after a trap is poisoned, and
// no Webhook keeps a handle into the dropped instance. Runs under Node, Node 24 and Bun.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Webhook, WebhookVerificationError, ReplayGuard } from "../../pkg/src/node.mjs";
import { core, tools } from "../../pkg/src/wasm.mjs";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER = "whsec_" + Buffer.from("another endpoint's key").toString("base64");
const T0 = 1_700_000_000;
const at = (seconds) => () => seconds * 1000;
const BODY = '{"type":"ping"}';

function code(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof WebhookVerificationError, `not a WebhookVerificationError: ${e}`);
    return e.code;
  }
  assert.fail("expected a WebhookVerificationError");
}

/**
 * Grows `memory` until it cannot grow, so that the module's allocator cannot: returns a
 * size that no free space inside the module can hold (the memory's size before).
 */
function exhaust(memory) {
  const before = memory.buffer.byteLength;
  for (let pages = 1 << 14; pages >= 1;) {
    try {
      memory.grow(pages);
    } catch {
      pages >>= 1;
    }
  }
  return before + 1024 * 1024;
}

test("a body of 4 GiB or more is body_too_large, not a RangeError (a view that says so)", () => {
  const wh = new Webhook(SECRET, { now: at(T0) });
  const headers = wh.sign(BODY, { timestamp: T0 });
  for (const length of [2 ** 31, 2 ** 32, 2 ** 32 + 5]) {
    // Read as a Uint8Array (its tag), never copied: the length is refused first.
    const view = { [Symbol.toStringTag]: "Uint8Array", length, byteLength: length };
    assert.equal(
      code(() => wh.verifySignature(view, headers)),
      "body_too_large",
    );
    assert.equal(
      code(() => wh.sign(view)),
      "body_too_large",
    );
  }
  assert.deepEqual(wh.verify(BODY, headers), JSON.parse(BODY));
});

test("a real 4 GiB Buffer is body_too_large, and invalid_secret as a key", (t) => {
  let big;
  try {
    big = Buffer.allocUnsafeSlow(2 ** 32); // untouched pages: no memory is used
  } catch (e) {
    t.skip(`this runtime cannot allocate a 4 GiB Buffer (${e.message})`);
    return;
  }
  const wh = new Webhook(SECRET, { now: at(T0) });
  const headers = wh.sign(BODY, { timestamp: T0 });
  assert.equal(
    code(() => wh.verifySignature(big, headers)),
    "body_too_large",
  );
  assert.equal(
    code(() => wh.sign(big)),
    "body_too_large",
  );
  assert.equal(wh.diagnose(big, headers).code, "body_too_large");
  // Nor can it be a key (refused before the constructor copies it).
  assert.throws(
    () => new Webhook(big, { scheme: "github" }),
    (e) => e.code === "invalid_secret",
  );
  assert.deepEqual(wh.verify(BODY, headers), JSON.parse(BODY));
});

test("a clock that returns NaN, an invalid Date or a non-number is invalid_option, not 1970", () => {
  const headers = new Webhook(SECRET).sign(BODY, { timestamp: 0 });
  for (const now of [() => NaN, () => Infinity, () => new Date("nonsense"), () => undefined, () => "soon"]) {
    const wh = new Webhook(SECRET, { now });
    assert.equal(
      code(() => wh.verify(BODY, headers)),
      "invalid_option",
    );
    assert.equal(
      code(() => wh.sign(BODY)),
      "invalid_option",
    );
    const report = wh.diagnose(BODY, headers);
    assert.equal(report.code, "invalid_option");
    assert.match(report.message, /now\(\) must return milliseconds/);
    assert.equal(
      code(() => new ReplayGuard({ now }).seen("msg_1")),
      "invalid_option",
    );
  }
  // A timestamp given to sign needs no clock.
  new Webhook(SECRET, { now: () => NaN }).sign(BODY, { timestamp: T0 });
});

test("toleranceSeconds: 0 to Number.MAX_SAFE_INTEGER; 1e300, Infinity, NaN and -1 are invalid_option", () => {
  for (const toleranceSeconds of [0, 0.5, 300, Number.MAX_SAFE_INTEGER]) {
    const wh = new Webhook(SECRET, { toleranceSeconds, now: at(T0) });
    wh.verify(BODY, wh.sign(BODY, { timestamp: T0 }));
  }
  const far = new Webhook(SECRET, { toleranceSeconds: Number.MAX_SAFE_INTEGER, now: at(T0) });
  far.verify(BODY, far.sign(BODY, { timestamp: 1 }));
  for (const toleranceSeconds of [1e300, Infinity, -Infinity, NaN, -1, Number.MAX_SAFE_INTEGER + 2]) {
    assert.throws(
      () => new Webhook(SECRET, { toleranceSeconds }),
      (e) =>
        e.code === "invalid_option" && /toleranceSeconds must be from 0 to 9007199254740991 seconds/.test(e.message),
      String(toleranceSeconds),
    );
  }
});

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

test("a trap in the tools module drops its instance: sign, diagnose and Ed25519 keys work on the next call", () => {
  const wh = new Webhook(SECRET, { now: at(T0) });
  const ed = new Webhook("whsk_" + Buffer.alloc(32, 9).toString("base64"), { now: at(T0) });
  const before = tools();
  wh.sign(BODY);
  const big = Buffer.alloc(exhaust(tools().memory), "x");
  assert.throws(
    () => wh.sign(big),
    (e) => !(e instanceof WebhookVerificationError) && /WebAssembly module failed in webhookSign/.test(e.message),
  );
  assert.notEqual(tools(), before);
  const headers = wh.sign(BODY, { timestamp: T0 });
  assert.deepEqual(wh.verify(BODY, headers), JSON.parse(BODY));
  assert.equal(wh.diagnose(BODY, headers).verified, true);
  ed.verify(BODY, ed.sign(BODY, { timestamp: T0 }));
});

test("the verify module: a body too large for its memory is body_too_large; a trap drops its instance, and Webhooks made before it get new handles, never another's", () => {
  const a = new Webhook(SECRET, { now: at(T0) });
  const signedA = a.sign(BODY, { timestamp: T0 });
  const before = core();
  const size = exhaust(core().memory);
  // Where node:crypto hashes large bodies (here: Node and Bun), the body never enters wasm
  // memory, so it is verified as any other; wasm (workerd, browsers) cannot take it.
  assert.equal(
    code(() => a.verify(Buffer.alloc(size), signedA)),
    "no_matching_signature",
  );
  assert.deepEqual(a.verify(BODY, signedA), JSON.parse(BODY));
  assert.equal(core(), before);
  // A secret is copied into wasm with the glue's allocation, which traps when it fails.
  assert.throws(
    () => new Webhook("x".repeat(size), { scheme: "github" }),
    (e) => !(e instanceof WebhookVerificationError) && /WebAssembly module failed/.test(e.message),
  );
  assert.notEqual(core(), before);
  // Made first in the new instance, b likely gets the handle number a had in the old one.
  const b = new Webhook(OTHER, { now: at(T0) });
  assert.deepEqual(a.verify(BODY, signedA), JSON.parse(BODY));
  assert.equal(
    code(() => a.verify(BODY, b.sign(BODY, { timestamp: T0 }))),
    "no_matching_signature",
  );
  assert.equal(
    code(() => b.verify(BODY, signedA)),
    "no_matching_signature",
  );
});
