// The npm package hookproof-sender from its source folder, driving the debug binary
// ($HOOKPROOF_SENDER_BIN, set by run.sh): startSender, a method per route, the waits,
// the API's errors, close and Symbol.asyncDispose; the launcher and the binary lookup.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { connect, findBinary, SenderError, startSender } from "../../mock-sender/npm/hookproof-sender/index.mjs";

const PKG = fileURLToPath(new URL("../../mock-sender/npm/hookproof-sender/", import.meta.url));
const BIN = process.env.HOOKPROOF_SENDER_BIN;
const require = createRequire(import.meta.url);

/** A receiver answering `statuses` in turn, then 200; the requests it saw, their bodies. */
function receiver(statuses = []) {
  const seen = [];
  const bodies = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      seen.push(req.headers);
      bodies.push(Buffer.concat(chunks).toString("utf8"));
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}/hook`,
        seen,
        bodies,
        close: () => new Promise((done) => server.close(done)),
      }),
    ),
  );
}

let sender;
before(async () => {
  assert.ok(BIN, "run through tests/sender/run.sh (HOOKPROOF_SENDER_BIN)");
  sender = await startSender({ timeScale: 0.001, token: "t0ken", attemptTimeout: 2000 });
});
after(() => sender.close());

test("every route, typed, and the waits", async () => {
  assert.match(sender.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal((await sender.health()).ok, true);
  const rx = await receiver([500]);
  try {
    const wh = await sender.createWebhook({ url: rx.url, events: ["order.*"], profile: "standard" });
    assert.match(wh.secret, /^whsec_/);
    assert.equal((await sender.getWebhook(wh.id)).url, rx.url);
    assert.deepEqual(
      (await sender.listWebhooks()).map((w) => w.id),
      [wh.id],
    );
    assert.equal((await sender.updateWebhook(wh.id, { description: "orders" })).description, "orders");
    assert.deepEqual((await sender.updateWebhook(wh.id, { retry_schedule: [0, 1] })).retry_schedule, [0, 1]);
    const reset = await sender.updateWebhook(wh.id, { retry_schedule: null });
    assert.deepEqual(reset.retry_schedule, wh.retry_schedule, "null: back to the profile's");

    const ev = await sender.sendEvent({ type: "order.created", data: { n: 1 } });
    assert.equal(ev.deliveries.length, 1);
    const d = await sender.waitForDelivery(ev.deliveries[0].id, { status: "succeeded", timeoutMs: 5000 });
    assert.equal(d.status, "success");
    assert.equal(d.attempts, 2);
    assert.equal(typeof d.body, "string");
    assert.deepEqual(
      (await sender.deliveryAttempts(d.id)).map((a) => a.status_code),
      [500, 200],
    );
    assert.equal((await sender.webhookLogs(wh.id, { status: "failed" })).length, 1);
    assert.equal((await sender.logs({ webhookId: wh.id })).length, 2);
    assert.equal((await sender.listDeliveries({ status: "success" }))[0].id, d.id);
    assert.deepEqual(await sender.webhookStats(wh.id), { pending: 0, success: 1, failed: 0 });

    // The next delivery after the newest, waited for on the server: made by the test route.
    const [newest] = await sender.webhookDeliveries(wh.id, { limit: 1 });
    const test = await sender.testWebhook(wh.id);
    const next = await sender.waitForNextDelivery(wh.id, { after: newest.id, status: "success", timeoutMs: 5000 });
    assert.equal(next.id, test.id);

    const retried = await sender.retryDelivery(d.id);
    assert.equal(retried.id, d.id);
    assert.equal((await sender.waitForDelivery(d.id, { timeoutMs: 5000 })).attempts, 3);

    const rotated = await sender.rotateSecret(wh.id);
    assert.notEqual(rotated.secret, wh.secret);
    assert.equal(await sender.deleteWebhook(wh.id), undefined);
  } finally {
    await rx.close();
  }
});

test("errors carry the API's code, message and field", async () => {
  await assert.rejects(sender.getWebhook("wh_nope"), (e) => {
    assert.ok(e instanceof SenderError);
    assert.equal(e.code, "not_found");
    assert.equal(e.status, 404);
    assert.equal(e.field, null);
    assert.match(e.message, /GET \/v1\/webhooks\/wh_nope: no webhook wh_nope/);
    return true;
  });
  await assert.rejects(sender.createWebhook({ url: "ftp://x", events: ["*"] }), {
    code: "invalid_field",
    field: "url",
  });
  // Without the token.
  await assert.rejects(connect(sender.url).listWebhooks(), { code: "unauthorized", status: 401 });
  // One class whichever way the package is loaded.
  assert.equal(require(join(PKG, "index.cjs")).SenderError, SenderError);
});

test("sendEvent and testWebhook edit the catalog's example with overrides; eventTypes lists it", async () => {
  const types = await sender.eventTypes({ profile: "stripe" });
  const paid = types.find((t) => t.event_type === "invoice.paid");
  assert.ok(paid, "stripe's invoice.paid");
  assert.ok(types.every((t) => t.profile === "stripe"));
  assert.deepEqual(paid.data, paid.payload.data.object, "data: the part of the payload at data.object");
  assert.equal(typeof paid.schema, "object");
  assert.equal(typeof paid.description, "string");
  assert.ok(Object.keys(paid.headers).length > 0);
  const every = await sender.eventTypes();
  assert.ok(every.some((t) => t.profile === "github") && every.length > types.length);
  await assert.rejects(sender.eventTypes({ profile: "nope" }), { code: "invalid_field", field: "profile" });

  const rx = await receiver();
  try {
    const wh = await sender.createWebhook({ url: rx.url, events: ["invoice.paid"], profile: "stripe" });
    const ev = await sender.sendEvent({ type: "invoice.paid", overrides: { "data.object.amount_paid": 5000 } });
    assert.equal(ev.deliveries.length, 1);
    await sender.waitForDelivery(ev.deliveries[0].id, { status: "success", timeoutMs: 5000 });
    const got = JSON.parse(rx.bodies.at(-1));
    assert.equal(got.data.object.amount_paid, 5000);
    assert.equal(got.id, ev.id);
    assert.deepEqual(Object.keys(got.data.object), Object.keys(paid.payload.data.object), "the example's key order");

    // A path the example lacks: an error naming it, and nothing sent.
    await assert.rejects(
      sender.sendEvent({ type: "invoice.paid", overrides: { "data.object.amunt_paid": 1 } }),
      (e) => {
        assert.equal(e.code, "invalid_field");
        assert.equal(e.field, "overrides.data.object.amunt_paid");
        assert.match(e.message, /stripe profile/);
        return true;
      },
    );
    assert.equal((await sender.webhookDeliveries(wh.id)).length, 1);
    await assert.rejects(sender.sendEvent({ type: "invoice.paid", data: {}, overrides: { id: "x" } }), {
      code: "invalid_field",
      field: "overrides",
    });

    const test = await sender.testWebhook(wh.id, { overrides: { "data.object.amount_paid": 7 } });
    const done = await sender.waitForDelivery(test.id, { status: "success", timeoutMs: 5000 });
    assert.equal(JSON.parse(done.body).data.object.amount_paid, 7);
    await sender.deleteWebhook(wh.id);
  } finally {
    await rx.close();
  }
});

test("waitForNextDelivery on a webhook without deliveries misses none made before its wait", async () => {
  const rx = await receiver([]);
  try {
    const wh = await sender.createWebhook({ url: rx.url, events: ["race.*"], profile: "standard" });
    // The delivery is made between the client's first look (none) and its wait.
    const look = sender.webhookDeliveries;
    let made;
    sender.webhookDeliveries = async (...args) => {
      const seen = await look.apply(sender, args);
      made = (await sender.sendEvent({ type: "race.won", data: {} })).deliveries[0].id;
      return seen;
    };
    try {
      const next = await sender.waitForNextDelivery(wh.id, { timeoutMs: 5000 });
      assert.equal(next.id, made);
    } finally {
      delete sender.webhookDeliveries;
    }
    await sender.deleteWebhook(wh.id);
  } finally {
    await rx.close();
  }
});

test("waitForDelivery: a timeout, and a final status other than the one asked for", async () => {
  const rx = await receiver([500, 500, 500]);
  try {
    // 500, then a retry an hour away (3.6 s scaled).
    const slow = await sender.createWebhook({ url: rx.url, events: ["*"], retry_schedule: [0, 3600] });
    const ev = await sender.sendEvent({ type: "a.b", webhook_ids: [slow.id] });
    const started = Date.now();
    await assert.rejects(sender.waitForDelivery(ev.deliveries[0].id, { timeoutMs: 300 }), (e) => {
      assert.equal(e.code, "timeout");
      assert.equal(e.delivery.status, "pending");
      return true;
    });
    assert.ok(Date.now() - started < 3000);
    await sender.deleteWebhook(slow.id);

    const once = await sender.createWebhook({ url: rx.url, events: ["*"], retry_schedule: [0] });
    const ev2 = await sender.sendEvent({ type: "a.b", webhook_ids: [once.id] });
    await assert.rejects(sender.waitForDelivery(ev2.deliveries[0].id, { status: "success" }), (e) => {
      assert.equal(e.code, "unexpected_status");
      assert.equal(e.delivery.status, "failed");
      assert.match(e.message, /ended failed after 1 attempt\(s\), not success: HTTP 500/);
      return true;
    });
  } finally {
    await rx.close();
  }
});

test("config as an object, and Symbol.asyncDispose stops the process", async () => {
  const rx = await receiver();
  try {
    const own = await startSender({ config: { webhooks: [{ id: "wh_cfg", url: rx.url, events: ["*"] }] } });
    assert.equal((await own.getWebhook("wh_cfg")).url, rx.url);
    await own[Symbol.asyncDispose]();
    assert.notEqual(own.process.exitCode ?? own.process.signalCode, null);
    await assert.rejects(own.health(), { code: "unreachable" });
  } finally {
    await rx.close();
  }
});

test("a sender that cannot start says why", async () => {
  await assert.rejects(startSender({ args: ["--max-in-flight", "0"] }), (e) => {
    assert.equal(e.code, "start_failed");
    assert.match(e.message, /exited before listening/);
    assert.match(e.message, /max-in-flight/);
    return true;
  });
});

test("the launcher runs the binary with its arguments and exit status", () => {
  const launcher = join(PKG, "bin", "hookproof-sender.cjs");
  const version = spawnSync(process.execPath, [launcher, "--version"], { encoding: "utf8" });
  assert.equal(version.status, 0, version.stderr);
  assert.match(version.stdout, /^hookproof-sender \d+\.\d+\.\d+/);
  const usage = spawnSync(process.execPath, [launcher, "doctor"], { encoding: "utf8" });
  assert.equal(usage.status, 2);
});

test("the binary: HOOKPROOF_SENDER_BIN, then PATH, else how to install one", () => {
  const dir = mkdtempSync(join(tmpdir(), "hookproof-sender-path-"));
  try {
    symlinkSync(BIN, join(dir, "hookproof-sender"));
    const find = (env) =>
      spawnSync(
        process.execPath,
        ["-e", `console.log(require(${JSON.stringify(join(PKG, "binary.cjs"))}).findBinary())`],
        {
          encoding: "utf8",
          env: { PATH: "", ...env },
        },
      );
    // This checkout has no @hookproof/sender-* package installed: PATH is next.
    assert.equal(find({ PATH: dir }).stdout.trim(), join(dir, "hookproof-sender"));
    assert.equal(find({ PATH: dir, HOOKPROOF_SENDER_BIN: BIN }).stdout.trim(), BIN);
    const none = find({ PATH: join(dir, "nothing") });
    assert.notEqual(none.status, 0);
    assert.match(none.stderr, /no binary found/);
    assert.match(none.stderr, /cargo install/);
    assert.match(find({ HOOKPROOF_SENDER_BIN: join(dir, "nope") }).stderr, /not an executable file/);
    assert.equal(findBinary("/explicit/path"), "/explicit/path");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
