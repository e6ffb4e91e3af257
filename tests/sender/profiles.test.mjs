// The sender binary (HOOKPROOF_SENDER) delivers one event to a webhook of every profile;
// each webhook's receiver answers 500 once, then 204, and every attempt must verify with
// the npm package, carry the same delivery id on its retry, and have the profile's shape.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Webhook } from "../../pkg/src/node.mjs";
import { startReceiver, startSender } from "./harness.mjs";

const PROFILES = [
  "vector",
  "standard",
  "svix",
  "stripe",
  "github",
  "vercel",
  "shopify",
  "slack",
  "generic",
  "vectorco",
];
// The scheme a profile signs with: its own, but Vector.co documents none (generic's).
const schemeOf = (profile) => (profile === "vectorco" ? "generic" : profile);
// Where each profile's delivery id travels (none for vercel, slack, generic).
const ID_HEADER = {
  vector: "x-vector-delivery",
  standard: "webhook-id",
  svix: "svix-id",
  github: "x-github-delivery",
  shopify: "x-shopify-webhook-id",
};
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ID_FORM = {
  vector: ULID,
  standard: /^msg_[0-9A-Z]{26}$/,
  svix: /^msg_[0-9A-Z]{26}$/,
  github: UUID,
  shopify: UUID,
};

let sender;
let receiver;
let call;
let hits;
let base;

before(async () => {
  // Each path's first request gets 500, the retry 204.
  receiver = await startReceiver((list) => (list.length === 1 ? 500 : 204));
  ({ base, hits } = receiver);
  sender = await startSender(["--time-scale", "0.001"]);
  ({ call } = sender);
});

after(() => {
  sender?.stop();
  receiver?.close();
});

test("every profile's deliveries verify with the npm package, retries included", async () => {
  const hooks = [];
  for (const profile of PROFILES) {
    const w = await call("POST", "/v1/webhooks", {
      kind: "http",
      url: `${base}/hook/${profile}`,
      events: ["order.*"],
      enabled: true,
      profile,
      retry_schedule: [0, 5], // 5 ms once scaled: every profile retries, GitHub's too
    });
    assert.equal(w.profile, profile);
    hooks.push({ profile, id: w.id, secret: w.secret, path: `/hook/${profile}`, kind: "http" });
  }
  const slack = await call("POST", "/v1/webhooks", {
    kind: "slack",
    url: `${base}/slack`,
    events: ["*"],
    enabled: true,
    retry_schedule: [0, 5],
  });
  hooks.push({ profile: "vector", id: slack.id, secret: slack.secret, path: "/slack", kind: "slack" });
  for (const h of hooks) {
    const shown = await call("GET", `/v1/webhooks/${h.id}`);
    assert.equal(shown.secret, undefined, "GET never shows the secret");
  }

  const data = { order_id: 1001, total: 42.5 };
  const ev = await call("POST", "/v1/events", { type: "order.created", data });
  assert.equal(ev.deliveries.length, hooks.length);

  const deadline = Date.now() + 10000;
  let deliveries = [];
  while (Date.now() < deadline) {
    deliveries = await call("GET", "/v1/deliveries");
    if (deliveries.length === hooks.length && deliveries.every((d) => d.status !== "pending")) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const d of deliveries) assert.equal(d.status, "success", JSON.stringify(d));

  for (const h of hooks) {
    const got = hits.get(h.path) ?? [];
    assert.equal(got.length, 2, `${h.path}: one failure, one retry`);
    const wh = new Webhook(h.secret, { scheme: schemeOf(h.profile) });
    const bodies = got.map(({ body, headers }) => wh.verify(body, headers));
    assert.deepEqual(got[0].body, got[1].body, `${h.path}: the same bytes on the retry`);
    const idHeader = ID_HEADER[h.profile];
    if (idHeader) {
      const delivery = deliveries.find((d) => d.webhook_id === h.id);
      assert.equal(got[0].headers[idHeader], delivery.id, h.path);
      assert.equal(got[1].headers[idHeader], delivery.id, h.path);
      // In the provider's form: GitHub's and Shopify's are UUIDs, Svix's msg_ ids.
      assert.match(delivery.id, ID_FORM[h.profile], h.path);
    }
    const b = bodies[0];
    if (h.kind === "slack") {
      assert.match(b.text, /order\.created/);
      assert.ok(Array.isArray(b.blocks));
      continue;
    }
    switch (h.profile) {
      case "vector":
        assert.deepEqual(Object.keys(b).sort(), ["data", "event", "occurred_at"]);
        assert.equal(b.event, "order.created");
        assert.equal(got[0].headers["x-vector-event"], "order.created");
        assert.deepEqual(b.data, data);
        break;
      case "standard":
      case "svix":
        assert.deepEqual(Object.keys(b).sort(), ["data", "timestamp", "type"]);
        assert.deepEqual(b.data, data);
        break;
      case "stripe":
        assert.equal(b.object, "event");
        assert.equal(b.type, "order.created");
        assert.deepEqual(b.data.object, data);
        // Every field of stripe-node's Event type.
        for (const key of ["api_version", "created", "id", "livemode", "pending_webhooks", "request"]) {
          assert.ok(key in b, key);
        }
        assert.equal(b.livemode, false);
        break;
      case "vercel":
        assert.deepEqual(Object.keys(b).sort(), ["createdAt", "id", "payload", "region", "type"]);
        assert.deepEqual(b.payload, data);
        break;
      case "generic":
        assert.deepEqual(Object.keys(b).sort(), ["created_at", "data", "id", "type"]);
        break;
      case "github":
        assert.equal(got[0].headers["x-github-event"], "order.created");
        assert.deepEqual(b, data);
        break;
      case "vectorco":
        assert.equal(got[0].headers["x-webhook-event"], "order.created");
        assert.deepEqual(b, data, "Vector.co's body is the event itself");
        break;
      case "shopify":
        assert.equal(got[0].headers["x-shopify-topic"], "order.created");
        // @shopify/shopify-api's validate() refuses a delivery without these.
        assert.match(got[0].headers["x-shopify-api-version"], /^\d{4}-\d{2}$/);
        assert.equal(got[0].headers["x-shopify-event-id"], ev.id);
        assert.ok(!Number.isNaN(Date.parse(got[0].headers["x-shopify-triggered-at"])));
        assert.deepEqual(b, data);
        break;
      case "slack":
        // The body is the Events API request itself: the data as given.
        assert.deepEqual(b, data);
        // Slack marks a retry, and why the attempt before failed.
        assert.equal(got[0].headers["x-slack-retry-num"], undefined);
        assert.equal(got[1].headers["x-slack-retry-num"], "1");
        assert.equal(got[1].headers["x-slack-retry-reason"], "http_error");
        break;
    }
  }

  const logs = await call("GET", `/v1/webhooks/${hooks[0].id}/logs?status=failed`);
  assert.equal(logs.length, 1);
  assert.equal(logs[0].status_code, 500);
});
