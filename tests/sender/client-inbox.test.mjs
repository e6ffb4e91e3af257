// The inbox methods of the npm package hookproof-sender, driving the debug binary
// ($HOOKPROOF_SENDER_BIN, set by run.sh) as a team testing the webhooks its own app sends
// would: an inbox with a scheme and secret, deliveries to inboxUrl, waitForCapture,
// verification and conformance, the captures' routes, a replay, the inbox deleted.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { Webhook } from "../../pkg/src/node.mjs";
import { SenderError, startSender } from "../../mock-sender/npm/hookproof-sender/index.mjs";

const BIN = process.env.HOOKPROOF_SENDER_BIN;
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER_SECRET = "whsec_dGhpcyBpcyBub3QgdGhlIGluYm94J3Mga2V5IQ==";

/** A receiver answering 200; the requests it saw ({headers, body}). */
function receiver() {
  const seen = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      seen.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200).end("thanks");
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}/hook`,
        seen,
        close: () => new Promise((done) => server.close(done)),
      }),
    ),
  );
}

/** What "their app" does: POSTs a body signed as Standard Webhooks with `secret`. */
async function deliver(url, secret, body, id) {
  const headers = new Webhook(secret, { scheme: "standard" }).sign(body, { id });
  const res = await fetch(url, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body });
  assert.equal(res.status, 200);
  return res.headers.get("x-hookproof-capture");
}

let sender;
before(async () => {
  assert.ok(BIN, "run through tests/sender/run.sh (HOOKPROOF_SENDER_BIN)");
  sender = await startSender({ token: "t0ken" });
});
after(() => sender.close());

test("an inbox verifies and checks what an app sends, waited for on the server", async () => {
  const name = "app-hooks";
  const inbox = await sender.putInbox(name, { scheme: "standard", secret: SECRET });
  assert.equal(inbox.name, name);
  assert.equal(inbox.scheme, "standard");
  assert.equal(inbox.secrets, 1, "a count, never the secret");
  assert.ok(!JSON.stringify(inbox).includes(SECRET));
  const url = sender.inboxUrl(name);
  assert.equal(url, `${sender.url}/in/app-hooks`);

  // The mark taken before the app sends (as the package's README shows): none yet, so
  // `""`, any capture; the app's is the next.
  const [last] = await sender.inboxCaptures(name, { limit: 1 });
  assert.equal(last, undefined);
  const body = JSON.stringify({ type: "order.created", data: { id: 1 } });
  const goodId = await deliver(url, SECRET, body, "msg_good");
  const good = await sender.waitForCapture(name, { after: last?.id ?? "", timeoutMs: 5000 });
  assert.equal(good.id, goodId, "the capture X-Hookproof-Capture named");
  assert.equal(good.inbox, name);
  assert.equal(good.body, body);
  assert.equal(good.scheme, "standard");
  assert.equal(good.delivery_id, "msg_good");
  assert.deepEqual(good.verification, { verified: true, code: null, message: null, findings: [] });
  assert.deepEqual(
    good.conformance.filter((c) => c.status !== "pass"),
    [],
    JSON.stringify(good.conformance),
  );
  assert.equal(good.conformance.length, 7);

  // Sent before waiting: found with `after`, and not verified (another key signed it).
  const badId = await deliver(url, OTHER_SECRET, body, "msg_bad");
  const bad = await sender.waitForCapture(name, { after: good.id, timeoutMs: 5000 });
  assert.equal(bad.id, badId);
  assert.equal(bad.verification.verified, false);
  assert.equal(bad.verification.code, "no_matching_signature");
  assert.equal(bad.conformance.find((c) => c.rule === "signature_format").status, "pass");

  // The routes agree with the waits.
  assert.deepEqual(await sender.getCapture(name, good.id), good);
  assert.deepEqual(await sender.getCapture(name, bad.id), bad);
  assert.deepEqual(
    (await sender.inboxCaptures(name)).map((c) => c.id),
    [bad.id, good.id],
  );
  assert.deepEqual(await sender.inboxCaptures(name, { limit: 1 }), [bad]);
  const summary = await sender.getInbox(name);
  assert.deepEqual([summary.captures, summary.verified, summary.unverified], [2, 1, 1]);
  const listed = (await sender.listInboxes()).find((i) => i.name === name);
  assert.equal(listed.configured, true);
  assert.equal(listed.captures, 2);

  // Sent before the wait, without `after`: not the next (the newest when called is the
  // mark), so the wait ends with a timeout.
  await deliver(url, SECRET, body, "msg_early");
  await assert.rejects(sender.waitForCapture(name, { timeoutMs: 300 }), (e) => {
    assert.ok(e instanceof SenderError);
    assert.equal(e.code, "timeout");
    return true;
  });
});

test("a capture replays to a receiver, as is or signed afresh", async () => {
  const name = "replays";
  await sender.putInbox(name, { scheme: "standard", secret: SECRET });
  const body = JSON.stringify({ type: "invoice.paid" });
  await deliver(sender.inboxUrl(name), SECRET, body, "msg_replayed");
  // A new inbox: its first capture, whenever it came (`""`: any capture).
  const capture = await sender.waitForCapture(name, { after: "", timeoutMs: 5000 });
  const rx = await receiver();
  try {
    const sent = await sender.replayCapture(name, capture.id, { url: rx.url });
    assert.equal(sent.status_code, 200);
    assert.equal(sent.resigned, false);
    assert.equal(sent.response_body, "thanks");
    const resent = await sender.replayCapture(name, capture.id, { url: rx.url, resign: true });
    assert.equal(resent.resigned, true);
    assert.equal(rx.seen.length, 2);
    const verifier = new Webhook(SECRET, { scheme: "standard" });
    for (const got of rx.seen) {
      assert.equal(got.body, body);
      assert.deepEqual(await verifier.verify(got.body, got.headers), JSON.parse(body));
    }
    assert.equal(rx.seen[0].headers["webhook-id"], "msg_replayed", "as is");
    assert.notEqual(rx.seen[1].headers["webhook-id"], "msg_replayed", "a new id");
    const replays = (await sender.getCapture(name, capture.id)).replays;
    assert.deepEqual(
      replays.map((r) => r.resigned),
      [false, true],
    );
  } finally {
    await rx.close();
  }
});

test("deleteInbox removes its settings and captures; the API's errors are SenderErrors", async () => {
  const name = "gone.soon";
  await sender.putInbox(name, { scheme: "standard", secret: SECRET });
  const id = await deliver(sender.inboxUrl(name), SECRET, "{}", "msg_1");
  assert.equal((await sender.getCapture(name, id)).verification.verified, true);
  assert.equal(await sender.deleteInbox(name), undefined);
  assert.ok(!(await sender.listInboxes()).some((i) => i.name === name));
  assert.deepEqual(await sender.inboxCaptures(name), []);
  // Any name is an inbox (/in/ captures into it): a deleted one shows as never configured.
  const left = await sender.getInbox(name);
  assert.deepEqual([left.scheme, left.secrets, left.captures], [null, 0, 0]);
  await assert.rejects(sender.deleteInbox(name), { name: "SenderError", code: "not_found", status: 404 });
  await assert.rejects(sender.getCapture(name, "cap_nope"), { code: "not_found", status: 404 });
  // A name is one path segment, encoded: one that cannot be an inbox's is not found.
  assert.equal(sender.inboxUrl("a b/c"), `${sender.url}/in/a%20b%2Fc`);
  await assert.rejects(sender.getInbox("a b/c"), { code: "not_found", status: 404 });
  await assert.rejects(sender.putInbox("x", { scheme: "nope" }), { code: "invalid_field", field: "scheme" });
  await assert.rejects(sender.waitForCapture("x", { after: "cap_nope" }), { code: "invalid_field", field: "after" });
  await assert.rejects(sender.replayCapture(name, "cap_nope", { url: "http://127.0.0.1:9/" }), { code: "not_found" });
});
