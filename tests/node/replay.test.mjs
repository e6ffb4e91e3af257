// ReplayGuard with the in-memory store and stores that fail, deliveryKey, and the
// integrations' replayGuard option (express, hono, next, fastify) on the built pkg/: a
// duplicate is answered 200 without the handler, a handler that fails releases the claim,
// a store that fails is answered 503. The shared stores on their real engines (Redis,
// Durable Objects) are tests/replay.
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { Webhook, ReplayGuard, memoryStore, deliveryKey, WebhookVerificationError } from "../../pkg/src/node.mjs";

const PKG_JSON = fileURLToPath(new URL("../../pkg/package.json", import.meta.url));
const PKG = JSON.parse(readFileSync(PKG_JSON, "utf8"));
const pkgRequire = createRequire(PKG_JSON);
const importSubpath = (name) =>
  import(pathToFileURL(fileURLToPath(new URL(PKG.exports[`./${name}`].default.default, pathToFileURL(PKG_JSON)))));

const SECRET = "whsec_" + Buffer.from("hookproof replay test key").toString("base64");
const OTHER = "whsec_" + Buffer.from("somebody else's key").toString("base64");
const wh = new Webhook(SECRET);
const BODY = JSON.stringify({ type: "invoice.paid", data: { id: "in_1" } });

/** A store whose every call fails, or never settles. */
const brokenStore = {
  claim: async () => Promise.reject(new Error("ECONNREFUSED 127.0.0.1:6379")),
  release: async () => {},
};
const hangingStore = { claim: () => new Promise(() => {}), release: () => new Promise(() => {}) };

test("claim is true once within the TTL; release undoes it; prefix scopes the keys", async () => {
  let now = 0;
  const store = memoryStore({ now: () => now });
  const stripe = new ReplayGuard({ store, ttlSeconds: 10, prefix: "stripe:" });
  const github = new ReplayGuard({ store, ttlSeconds: 10, prefix: "github:" });
  assert.equal(await stripe.claim("evt_1"), true);
  assert.equal(await stripe.claim("evt_1"), false);
  assert.equal(await github.claim("evt_1"), true, "another prefix: another key");
  await stripe.release("evt_1");
  assert.equal(await stripe.claim("evt_1"), true, "released: claimed again");
  now = 9_999;
  assert.equal(await stripe.claim("evt_1"), false);
  now = 10_000;
  assert.equal(await stripe.claim("evt_1"), true, "expired after the TTL");
  assert.equal(store.size, 1, "github's expired key was dropped");
  await assert.rejects(stripe.claim(""), { code: "invalid_option" });
  await assert.rejects(new ReplayGuard({ now: () => NaN }).claim("x"), { code: "invalid_option" }, "not an outage");
  assert.equal(stripe.seen("evt_1"), true, "seen: the synchronous claim of the in-memory store");
  assert.throws(() => new ReplayGuard({ store: brokenStore }).seen("x"), { code: "invalid_option" });
});

test("one id claimed 200 times at once is claimed once", async () => {
  const guard = new ReplayGuard();
  const results = await Promise.all(Array.from({ length: 200 }, () => guard.claim("msg_same")));
  assert.equal(results.filter(Boolean).length, 1);
});

test("a failing store: replay_store_unavailable (reject), or the delivery taken as new (accept)", async () => {
  const reject = new ReplayGuard({ store: brokenStore });
  await assert.rejects(reject.claim("msg_1"), (e) => {
    assert.ok(e instanceof WebhookVerificationError);
    assert.equal(e.code, "replay_store_unavailable");
    assert.match(e.message, /ECONNREFUSED/);
    return true;
  });
  const accept = new ReplayGuard({ store: brokenStore, onStoreError: "accept" });
  assert.equal(await accept.claim("msg_1"), true);
  const hanging = new ReplayGuard({ store: hangingStore, timeoutMs: 50 });
  const t = Date.now();
  await assert.rejects(hanging.claim("msg_1"), { code: "replay_store_unavailable", message: /within 50 ms/ });
  assert.ok(Date.now() - t < 1000);
  await assert.rejects(hanging.release("msg_1"), { code: "replay_store_unavailable" });
  for (const options of [
    { ttlSeconds: 0 },
    { prefix: 1 },
    { onStoreError: "ignore" },
    { store: {} },
    { store: memoryStore(), maxEntries: 5 },
    { timeoutMs: -1 },
  ]) {
    assert.throws(() => new ReplayGuard(options), { code: "invalid_option" }, JSON.stringify(options));
  }
});

test("deliveryKey: the scheme's id header, else the SHA-256 of the body", async () => {
  assert.equal(await deliveryKey(wh, BODY, wh.sign(BODY, { id: "msg_k" })), "msg_k");
  const stripe = new Webhook("whsec_stripe", { scheme: "stripe" });
  const sha = "sha256:" + createHash("sha256").update(BODY).digest("hex");
  const headers = stripe.sign(BODY);
  assert.equal(await deliveryKey(stripe, BODY, headers), sha);
  assert.equal(await deliveryKey(stripe, Buffer.from(BODY), headers), sha);
  // A replay with another entry added to the signature header has the same key.
  const padded = { ...headers, "stripe-signature": headers["stripe-signature"] + ",v1=" + "0".repeat(64) };
  stripe.verify(BODY, padded);
  assert.equal(await deliveryKey(stripe, BODY, padded), sha);
});

test("require('hookproof/redis') and /durable-object share require('hookproof')'s error class", () => {
  const { WebhookVerificationError: CjsError } = pkgRequire("hookproof");
  const { redisStore } = pkgRequire("hookproof/redis");
  const { durableObjectStore, ReplayGuardObject } = pkgRequire("hookproof/durable-object");
  assert.equal(typeof ReplayGuardObject, "function");
  assert.throws(
    () => redisStore({}),
    (e) => e instanceof CjsError && e.code === "invalid_option",
  );
  assert.throws(
    () => durableObjectStore({}),
    (e) => e instanceof CjsError && e.code === "invalid_option",
  );
});

// --- the integrations ----------------------------------------------------------------

const { webhookMiddleware: expressWebhook } = await importSubpath("express");
const { webhookMiddleware: honoWebhook } = await importSubpath("hono");
const { withWebhook, verifyNextRequest } = await importSubpath("next");
const { webhookPlugin } = await importSubpath("fastify");

const closers = [];
after(() => Promise.all(closers.map((close) => close())));

// Each app answers 204 after `handler(event)`; a handler that throws gets a 500.
const FRAMEWORKS = {
  async express(options, handler) {
    const app = express();
    app.post("/hook", expressWebhook(SECRET, options), async (req, res) => {
      await handler(req.webhook);
      res.status(204).end();
    });
    app.use((err, req, res, _next) => res.status(500).json({ error: { code: "handler", message: err.message } }));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    const base = `http://127.0.0.1:${server.address().port}`;
    return (headers, body) => fetch(`${base}/hook`, { method: "POST", headers, body });
  },
  async hono(options, handler) {
    const app = new Hono();
    app.onError((err, c) => c.json({ error: { code: "handler", message: err.message } }, 500));
    app.post("/hook", honoWebhook(SECRET, options), async (c) => {
      await handler(c.get("webhook"));
      return c.body(null, 204);
    });
    return (headers, body) => app.request("/hook", { method: "POST", headers, body });
  },
  async next(options, handler) {
    const route = withWebhook(
      async (event) => {
        await handler(event);
        return new Response(null, { status: 204 });
      },
      SECRET,
      options,
    );
    return async (headers, body) => {
      try {
        return await route(new Request("http://localhost/hook", { method: "POST", headers, body }), {});
      } catch (e) {
        return Response.json({ error: { code: "handler", message: e.message } }, { status: 500 });
      }
    };
  },
  async fastify(options, handler) {
    const app = Fastify();
    await app.register(async (scope) => {
      await scope.register(webhookPlugin, { secret: SECRET, ...options });
      scope.post("/hook", async (request, reply) => {
        await handler(request.webhook);
        return reply.code(204).send();
      });
    });
    closers.push(() => app.close());
    return async (headers, body) => {
      const res = await app.inject({ method: "POST", url: "/hook", headers, payload: body });
      return new Response(res.statusCode === 204 ? null : res.body, { status: res.statusCode });
    };
  },
};

async function answer(response) {
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

for (const [name, make] of Object.entries(FRAMEWORKS)) {
  describe(`hookproof/${name} with replayGuard`, () => {
    test("a duplicate is answered 200 without the handler; a failed handler releases the claim", async () => {
      const calls = [];
      let behave = "ok";
      const deliver = await make({ replayGuard: new ReplayGuard() }, async (event) => {
        calls.push(event);
        if (behave === "throw") throw new Error("the database is down");
      });
      const headers = { "content-type": "application/json", ...wh.sign(BODY, { id: "msg_a" }) };
      assert.equal((await answer(await deliver(headers, BODY))).status, 204);
      assert.deepEqual(await answer(await deliver(headers, BODY)), { status: 200, json: { duplicate: true } });
      assert.equal(calls.length, 1);

      behave = "throw";
      const failing = { "content-type": "application/json", ...wh.sign(BODY, { id: "msg_b" }) };
      assert.equal((await answer(await deliver(failing, BODY))).status, 500);
      behave = "ok";
      assert.equal((await answer(await deliver(failing, BODY))).status, 204, "the retry is processed");
      assert.equal((await answer(await deliver(failing, BODY))).status, 200, "and then a duplicate");
      assert.equal(calls.length, 3);

      // A forged delivery never claims its id: the real one is still processed.
      const forged = { "content-type": "application/json", ...new Webhook(OTHER).sign(BODY, { id: "msg_c" }) };
      assert.equal((await answer(await deliver(forged, BODY))).status, 401);
      const real = { "content-type": "application/json", ...wh.sign(BODY, { id: "msg_c" }) };
      assert.equal((await answer(await deliver(real, BODY))).status, 204);
    });

    test("a failing store is answered 503 replay_store_unavailable; replayKey picks the key", async () => {
      let calls = 0;
      const down = await make({ replayGuard: new ReplayGuard({ store: brokenStore }) }, async () => calls++);
      const headers = { "content-type": "application/json", ...wh.sign(BODY) };
      const { status, json } = await answer(await down(headers, BODY));
      assert.equal(status, 503);
      assert.equal(json.error.code, "replay_store_unavailable");
      assert.equal(calls, 0);

      const byEvent = await make(
        { replayGuard: new ReplayGuard(), replayKey: (event) => event.data.id },
        async () => calls++,
      );
      // Two deliveries (two ids) of one event: one effect.
      for (const id of ["msg_1", "msg_2"]) {
        await answer(await byEvent({ "content-type": "application/json", ...wh.sign(BODY, { id }) }, BODY));
      }
      assert.equal(calls, 1);
      await assert.rejects(async () => make({ replayGuard: {} }, async () => {}), { code: "invalid_option" });
      await assert.rejects(async () => make({ replayKey: () => "x" }, async () => {}), { code: "invalid_option" });
    });
  });
}

test("verifyNextRequest with replayGuard: release() on ok, a 200 for a duplicate", async () => {
  const replayGuard = new ReplayGuard();
  const headers = { "content-type": "application/json", ...wh.sign(BODY, { id: "msg_next" }) };
  const req = () => new Request("http://localhost/hook", { method: "POST", headers, body: BODY });
  const first = await verifyNextRequest(req(), SECRET, { replayGuard });
  assert.equal(first.ok, true);
  const second = await verifyNextRequest(req(), SECRET, { replayGuard });
  assert.equal(second.ok, false);
  assert.equal(second.duplicate, true);
  assert.equal(second.error, null);
  assert.deepEqual(await answer(second.response), { status: 200, json: { duplicate: true } });
  await first.release();
  assert.equal((await verifyNextRequest(req(), SECRET, { replayGuard })).ok, true, "released");
});
