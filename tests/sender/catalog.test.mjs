// The sender binary (HOOKPROOF_SENDER) sends the catalog's examples: a Stripe webhook gets
// each Stripe event, which the official stripe library's constructEvent accepts and which
// validates against the event's schema; given data is sent byte for byte; GitHub's
// deliveries carry GitHub's headers; Vector.co's verify as the generic scheme; GET
// /v1/event-types serves the catalog.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import Stripe from "stripe";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { Webhook } from "../../pkg/src/node.mjs";
import { startReceiver, startSender } from "./harness.mjs";

let sender;
let receiver;
let call;
let hits;
let base;

async function received(path, n) {
  const deadline = Date.now() + 10000;
  while ((hits.get(path)?.length ?? 0) < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const got = hits.get(path) ?? [];
  assert.equal(got.length, n, path);
  return got;
}

before(async () => {
  receiver = await startReceiver();
  ({ base, hits } = receiver);
  sender = await startSender();
  ({ call } = sender);
});

after(() => {
  sender?.stop();
  receiver?.close();
});

const hook = (profile, path) =>
  call("POST", "/v1/webhooks", { url: `${base}${path}`, profile, events: ["*"], retry_schedule: [0] });

test("Stripe's catalog events, sent without data, pass stripe's constructEvent and their schemas", async () => {
  const types = await call("GET", "/v1/event-types?profile=stripe");
  assert.equal(types.length, 10);
  const w = await hook("stripe", "/stripe");
  const stripe = new Stripe("sk_test_hookproof");
  const ajv = new Ajv({ strict: false });
  addFormats(ajv);
  for (const t of types) {
    assert.deepEqual(t.data, t.payload.data.object, "data: what POST /v1/events's data gives");
    const ev = await call("POST", "/v1/events", { type: t.event_type, webhook_ids: [w.id] });
    const [got] = (await received("/stripe", types.indexOf(t) + 1)).slice(-1);
    const event = stripe.webhooks.constructEvent(got.body, got.headers["stripe-signature"], w.secret);
    assert.equal(event.type, t.event_type);
    assert.equal(event.id, ev.id, "a fresh event id");
    assert.ok(Math.abs(event.created - Date.now() / 1000) < 60, "a fresh time");
    assert.equal(got.headers["user-agent"], "Stripe/1.0 (+https://stripe.com/docs/webhooks)");
    const validate = ajv.compile(t.schema);
    assert.ok(validate(event), `${t.event_type}: ${ajv.errorsText(validate.errors)}`);
  }
});

test("given data is sent byte for byte (GitHub, Slack, Stripe): key order, 1.50 and a 25-digit integer survive", async () => {
  const data = '{"zeta": 1, "alpha": {"price": 1.50, "big": 1234567890123456789012345}, "list": [3, 1, 2]}';
  const gh = await hook("github", "/exact-github");
  const st = await hook("stripe", "/exact-stripe");
  const body = `{"type": "push", "webhook_ids": ["${gh.id}"], "data": ${data}}`;
  await call("POST", "/v1/events", body);
  const [g] = await received("/exact-github", 1);
  assert.equal(g.body.toString(), data, "GitHub's body is the data itself");
  const sl = await hook("slack", "/exact-slack");
  await call("POST", "/v1/events", `{"type": "message", "webhook_ids": ["${sl.id}"], "data": ${data}}`);
  const [l] = await received("/exact-slack", 1);
  assert.equal(l.body.toString(), data, "Slack's body is the Events API request: the data itself");
  await call("POST", "/v1/events", `{"type": "invoice.paid", "webhook_ids": ["${st.id}"], "data": ${data}}`);
  const [s] = await received("/exact-stripe", 1);
  assert.ok(s.body.toString().includes(`"data":{"object":${data}}`), s.body.toString());
});

test("GitHub's deliveries carry GitHub's headers; the catalog lists GitHub's events with schemas", async () => {
  const types = await call("GET", "/v1/event-types?profile=github");
  assert.deepEqual(types.map((t) => t.event_type).sort(), [
    "check_run",
    "installation",
    "issue_comment",
    "issues",
    "ping",
    "pull_request",
    "push",
    "release",
    "star",
    "workflow_run",
  ]);
  for (const t of types) {
    assert.equal(t.schema.type, "object");
    assert.deepEqual(t.data, t.payload, "GitHub's body is the data");
  }
  const w = await hook("github", "/github");
  await call("POST", "/v1/events", { type: "push", webhook_ids: [w.id] });
  const [got] = await received("/github", 1);
  assert.equal(got.headers["x-github-event"], "push");
  assert.match(got.headers["x-github-hook-id"], /^\d+$/);
  assert.match(got.headers["x-github-delivery"], /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.match(got.headers["user-agent"], /^GitHub-Hookshot\//);
  assert.equal(got.headers["x-github-hook-installation-target-type"], "repository");
  assert.match(got.headers["x-github-hook-installation-target-id"], /^\d+$/);
  assert.equal(typeof JSON.parse(got.body).ref, "string", "the push fixture");
  const res = await fetch(`${sender.api}/v1/event-types?profile=nope`);
  assert.equal(res.status, 400);
});

test("Vector.co's catalog events, sent without data, verify as the generic scheme and pass their schemas", async () => {
  const types = await call("GET", "/v1/event-types?profile=vectorco");
  assert.deepEqual(types.map((t) => t.event_type).sort(), ["company.visited", "contact.intent", "contact.visited"]);
  const w = await hook("vectorco", "/vectorco");
  const wh = new Webhook(w.secret, { scheme: "generic" });
  const ajv = new Ajv({ strict: false });
  addFormats(ajv);
  for (const [i, t] of types.entries()) {
    await call("POST", "/v1/events", { type: t.event_type, webhook_ids: [w.id] });
    const [got] = (await received("/vectorco", i + 1)).slice(-1);
    assert.equal(got.headers["x-webhook-event"], t.event_type);
    const event = wh.verify(got.body, got.headers);
    assert.equal(event.event, t.event_type);
    assert.ok(Math.abs(Date.parse(event.timestamp) - Date.now()) < 60_000, "a fresh time");
    const validate = ajv.compile(t.schema);
    assert.ok(validate(event), `${t.event_type}: ${ajv.errorsText(validate.errors)}`);
  }
});
