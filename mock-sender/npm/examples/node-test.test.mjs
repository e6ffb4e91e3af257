// node --test: an Express receiver tested end to end with hookproof-sender.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startSender } from "hookproof-sender";
import { createReceiver, listen } from "./receiver.mjs";

let sender;
before(async () => {
  // In memory, on a free port; retry waits x0.001 (stripe's 1 min retry takes 60 ms).
  sender = await startSender({ timeScale: 0.001 });
});
after(() => sender.close());

test("a valid delivery is verified and processed", async () => {
  const receiver = createReceiver({ secret: "whsec_dGVzdC1zZWNyZXQtZm9yLW5vZGUtdGVzdA" });
  const server = await listen(receiver.app);
  try {
    const wh = await sender.createWebhook({
      url: server.url,
      events: ["invoice.*"],
      profile: "stripe",
      secret: "whsec_dGVzdC1zZWNyZXQtZm9yLW5vZGUtdGVzdA",
    });
    const ev = await sender.sendEvent({ type: "invoice.paid", data: { amount: 4200 } });
    const d = await sender.waitForDelivery(ev.deliveries[0].id, { status: "success", timeoutMs: 5000 });
    assert.equal(d.attempts, 1);
    assert.equal(receiver.events.length, 1);
    assert.equal(receiver.events[0].type, "invoice.paid");
    assert.equal(receiver.events[0].data.object.amount, 4200);
    await sender.deleteWebhook(wh.id);
  } finally {
    await server.close();
  }
});

test("a 503 is retried, and the log shows it", async () => {
  const receiver = createReceiver({ secret: "whsec_c2Vjb25kLXRlc3Qtc2VjcmV0LWhlcmU", failFirst: 1 });
  const server = await listen(receiver.app);
  try {
    const wh = await sender.createWebhook({
      url: server.url,
      events: ["*"],
      profile: "stripe",
      secret: "whsec_c2Vjb25kLXRlc3Qtc2VjcmV0LWhlcmU",
    });
    const ev = await sender.sendEvent({ type: "customer.created", data: { id: "cus_1" }, webhook_ids: [wh.id] });
    const d = await sender.waitForDelivery(ev.deliveries[0].id, { status: "success", timeoutMs: 10_000 });
    assert.equal(d.attempts, 2);
    const attempts = await sender.deliveryAttempts(d.id);
    assert.deepEqual(
      attempts.map((a) => a.status_code),
      [503, 204],
    );
    assert.equal(receiver.events.length, 1, "processed once, on the retry");
    await sender.deleteWebhook(wh.id);
  } finally {
    await server.close();
  }
});

test("a delivery signed with another secret is rejected", async () => {
  const receiver = createReceiver({ secret: "whsec_dGhlLXJlY2VpdmVycy1vd24tc2VjcmV0" });
  const server = await listen(receiver.app);
  try {
    // A webhook whose secret the receiver does not know: every delivery is a forgery to it.
    const forger = await sender.createWebhook({
      url: server.url,
      events: ["*"],
      profile: "stripe",
      retry_schedule: [0],
    });
    const ev = await sender.sendEvent({ type: "invoice.paid", webhook_ids: [forger.id] });
    const d = await sender.waitForDelivery(ev.deliveries[0].id, { status: "failed", timeoutMs: 5000 });
    assert.equal(d.last_status_code, 401);
    const [attempt] = await sender.deliveryAttempts(d.id);
    assert.match(attempt.response_body, /no_matching_signature/);
    assert.equal(receiver.events.length, 0);
    await sender.deleteWebhook(forger.id);
  } finally {
    await server.close();
  }
});
