// The framework integrations (hookproof/express, /hono, /next, /fastify) with the real
// frameworks from npm, on the built pkg/: a signed delivery reaches the handler with the
// parsed event; a forged one never does (401 {"error": {"code", "message"}}). Servers
// listen on 127.0.0.1 with a port the kernel picks, or requests are injected in-process.
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { execFile } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { readFileSync, mkdtempSync, mkdirSync, symlinkSync, writeFileSync, copyFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express5 from "express";
import express4 from "express4";
import Fastify from "fastify";
import { Hono } from "hono";
import { serve } from "@hono/node-server";
import { Webhook } from "../../pkg/src/node.mjs";

const PKG_JSON = fileURLToPath(new URL("../../pkg/package.json", import.meta.url));
const PKG = JSON.parse(readFileSync(PKG_JSON, "utf8"));
// require() as the package resolves itself: the "require" condition of its exports map.
const pkgRequire = createRequire(PKG_JSON);
// import() of each subpath's ESM target, as listed in the exports map.
const importSubpath = (name) =>
  import(pathToFileURL(fileURLToPath(new URL(PKG.exports[`./${name}`].default.default, pathToFileURL(PKG_JSON)))));

const expressEsm = await importSubpath("express");
const honoEsm = await importSubpath("hono");
const nextEsm = await importSubpath("next");
const fastifyEsm = await importSubpath("fastify");
// (Under Bun, require takes the "bun" condition: the ES modules again, as for the root.)
const expressCjs = pkgRequire("hookproof/express");
const fastifyCjs = pkgRequire("hookproof/fastify");
const honoCjs = pkgRequire("hookproof/hono");
const nextCjs = pkgRequire("hookproof/next");

const SECRET = "whsec_" + Buffer.from("hookproof integration test key").toString("base64");
const OTHER = "whsec_" + Buffer.from("somebody else's key").toString("base64");
const BODY = JSON.stringify({ type: "invoice.paid", data: { id: "in_1", amount: 4200, note: "café ☕" } });
const EVENT = JSON.parse(BODY);
const signed = (body = BODY, secret = SECRET) => ({
  "content-type": "application/json",
  ...new Webhook(secret).sign(body),
});
const forged = (body = BODY) => signed(body, OTHER);

function assertError(status, json, wantStatus, code) {
  assert.equal(status, wantStatus, JSON.stringify(json));
  assert.equal(json.error.code, code);
  assert.equal(typeof json.error.message, "string");
  assert.ok(json.error.message.length > 0);
}

// JSON of exactly `size` bytes.
const sized = (size) => JSON.stringify({ pad: "x".repeat(size - '{"pad":""}'.length) });

// --- a tiny loopback server harness -------------------------------------------------

const servers = [];
after(() => {
  for (const s of servers) {
    s.closeAllConnections?.();
    s.close();
  }
});

async function listen(handler) {
  const { createServer } = await import("node:http");
  const server = createServer(handler);
  servers.push(server);
  await new Promise((resolve, reject) => server.listen(0, "127.0.0.1", resolve).on("error", reject));
  return `http://127.0.0.1:${server.address().port}`;
}

async function post(base, path, body, headers) {
  const res = await fetch(base + path, { method: "POST", body, headers, signal: AbortSignal.timeout(5000) });
  return { status: res.status, json: await res.json() };
}

// --- express -----------------------------------------------------------------------

function expressApp(express, { webhookMiddleware, rawBodySaver }, setup) {
  const app = express();
  const calls = [];
  setup(app, { webhookMiddleware, rawBodySaver });
  const handler = (req, res) => {
    calls.push(req.webhook);
    res.json({ event: req.webhook, rawBody: req.rawBody ? Buffer.from(req.rawBody).toString("utf8") : null });
  };
  app.post("/hook", webhookMiddleware(SECRET), handler);
  return { app, calls };
}

// Express 5 and 4 (4 is what most apps still run; its body parsers set `req.body = {}`
// even for requests they do not parse).
for (const [flavour, mod, express] of [
  ["5, ESM", expressEsm, express5],
  ["5, CJS", expressCjs, express5],
  ["4, ESM", expressEsm, express4],
  ["4, CJS", expressCjs, express4],
]) {
  describe(`express ${flavour}`, () => {
    test("alone: reads the stream; signed reaches the handler, forged never does", async () => {
      const { app, calls } = expressApp(express, mod, () => {});
      const base = await listen(app);
      const ok = await post(base, "/hook", BODY, signed());
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.json.event, EVENT);
      assert.equal(ok.json.rawBody, BODY);
      const bad = await post(base, "/hook", BODY, forged());
      assertError(bad.status, bad.json, 401, "no_matching_signature");
      const tampered = await post(base, "/hook", BODY.replace("4200", "1"), signed());
      assertError(tampered.status, tampered.json, 401, "no_matching_signature");
      const bare = await post(base, "/hook", BODY, { "content-type": "application/json" });
      assertError(bare.status, bare.json, 401, "missing_header");
      assert.equal(calls.length, 1);
    });

    test("after express.json({ verify: rawBodySaver }): verifies req.rawBody", async () => {
      const { app, calls } = expressApp(express, mod, (app, { rawBodySaver }) =>
        app.use(express.json({ verify: rawBodySaver })),
      );
      const base = await listen(app);
      const ok = await post(base, "/hook", BODY, signed());
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.json.event, EVENT);
      const bad = await post(base, "/hook", BODY, forged());
      assertError(bad.status, bad.json, 401, "no_matching_signature");
      assert.equal(calls.length, 1);
    });

    test("after a plain express.json(): 500 invalid_body_type with a clear message, never the handler", async () => {
      const { app, calls } = expressApp(express, mod, (app) => app.use(express.json()));
      const base = await listen(app);
      const res = await post(base, "/hook", BODY, signed());
      assertError(res.status, res.json, 500, "invalid_body_type");
      assert.match(res.json.error.message, /rawBodySaver/);
      assert.equal(calls.length, 0);
      // A body express.json() does not parse (not JSON content) is still in the stream.
      const text = await post(base, "/hook", BODY, { ...signed(), "content-type": "text/plain" });
      assert.equal(text.status, 200);
      assert.deepEqual(text.json.event, EVENT);
    });

    test("after express.raw() or express.text(): verifies the Buffer or string body", async () => {
      for (const parser of [express.raw({ type: "*/*" }), express.text({ type: "*/*" })]) {
        const { app, calls } = expressApp(express, mod, (app) => app.use(parser));
        const base = await listen(app);
        assert.equal((await post(base, "/hook", BODY, signed())).status, 200);
        const bad = await post(base, "/hook", BODY, forged());
        assertError(bad.status, bad.json, 401, "no_matching_signature");
        assert.equal(calls.length, 1);
      }
    });

    test("gzip bodies are verified decoded; a body over the limit is 413", async () => {
      const app = express();
      const calls = [];
      app.post("/hook", mod.webhookMiddleware(SECRET, { limit: 1000 }), (req, res) => {
        calls.push(req.webhook);
        res.json({ event: req.webhook });
      });
      const base = await listen(app);
      const gz = await post(base, "/hook", gzipSync(BODY), { ...signed(), "content-encoding": "gzip" });
      assert.equal(gz.status, 200);
      assert.deepEqual(gz.json.event, EVENT);
      const big = JSON.stringify({ pad: "x".repeat(2000) });
      const tooBig = await post(base, "/hook", big, signed(big));
      assertError(tooBig.status, tooBig.json, 413, "body_too_large");
      const bomb = gzipSync(big);
      const inflated = await post(base, "/hook", bomb, { ...signed(big), "content-encoding": "gzip" });
      assertError(inflated.status, inflated.json, 413, "body_too_large");
      // Not gzip at all: the sender's fault (400), not a misconfigured server (500).
      const corrupt = await post(base, "/hook", BODY, { ...signed(), "content-encoding": "gzip" });
      assertError(corrupt.status, corrupt.json, 400, "invalid_body_encoding");
      assert.equal(calls.length, 1);
    });

    test("options: scheme and tolerance; a bad secret throws at once", async () => {
      const app = express();
      const github = new Webhook("gh secret", { scheme: "github" });
      app.post("/gh", mod.webhookMiddleware("gh secret", { scheme: "github" }), (req, res) => res.json(req.webhook));
      const old = new Webhook(SECRET, { now: () => Date.now() - 3600_000 });
      app.post("/std", mod.webhookMiddleware(SECRET, { toleranceSeconds: 60 }), (req, res) => res.json(req.webhook));
      const base = await listen(app);
      const ok = await post(base, "/gh", BODY, github.sign(BODY));
      assert.deepEqual(ok.json, EVENT);
      const stale = await post(base, "/std", BODY, old.sign(BODY));
      assertError(stale.status, stale.json, 401, "timestamp_too_old");
      assert.throws(() => mod.webhookMiddleware("whsec_not base64!"), { code: "invalid_secret" });
      assert.throws(() => mod.webhookMiddleware(SECRET, { scheme: "paypal" }), { code: "invalid_option" });
    });
  });
}

// --- hono --------------------------------------------------------------------------

function honoApp({ webhookMiddleware }) {
  const app = new Hono();
  const calls = [];
  app.post("/hook", webhookMiddleware(SECRET), async (c) => {
    calls.push(c.get("webhook"));
    // The body stays readable after the middleware (Hono caches it).
    return c.json({ event: c.get("webhook"), text: await c.req.text() });
  });
  return { app, calls };
}

for (const [flavour, mod] of [
  ["ESM", honoEsm],
  ["CJS", honoCjs],
]) {
  describe(`hono (${flavour})`, () => {
    test("app.request(): signed reaches the handler, forged never does", async () => {
      const { app, calls } = honoApp(mod);
      const ok = await app.request("/hook", { method: "POST", body: BODY, headers: signed() });
      assert.equal(ok.status, 200);
      const json = await ok.json();
      assert.deepEqual(json.event, EVENT);
      assert.equal(json.text, BODY);
      for (const [headers, body, code] of [
        [forged(), BODY, "no_matching_signature"],
        [signed(), BODY + " ", "no_matching_signature"],
        [{ "content-type": "application/json" }, BODY, "missing_header"],
      ]) {
        const res = await app.request("/hook", { method: "POST", body, headers });
        assertError(res.status, await res.json(), 401, code);
      }
      assert.equal(calls.length, 1);
    });

    test("after a middleware that read the body (Hono's cache): verified, and limit still applies", async () => {
      const app = new Hono();
      app.use(async (c, next) => {
        await c.req.text();
        await next();
      });
      app.post("/hook", mod.webhookMiddleware(SECRET, { limit: 1000 }), (c) => c.json({ event: c.get("webhook") }));
      const ok = await app.request("/hook", { method: "POST", body: BODY, headers: signed() });
      assert.deepEqual((await ok.json()).event, EVENT);
      const big = sized(1001);
      const res = await app.request("/hook", { method: "POST", body: big, headers: signed(big) });
      assertError(res.status, await res.json(), 413, "body_too_large");
    });

    test("a secret from the context (a Workers binding): read once, on the first request", async () => {
      const app = new Hono();
      let reads = 0;
      const env = { WEBHOOK_SECRET: SECRET };
      app.post(
        "/hook",
        mod.webhookMiddleware((c) => (reads++, c.env.WEBHOOK_SECRET)),
        (c) => c.json({ event: c.get("webhook") }),
      );
      const ok = await app.request("/hook", { method: "POST", body: BODY, headers: signed() }, env);
      assert.deepEqual((await ok.json()).event, EVENT);
      const bad = await app.request("/hook", { method: "POST", body: BODY, headers: forged() }, env);
      assertError(bad.status, await bad.json(), 401, "no_matching_signature");
      assert.equal(reads, 1);
      // A bad binding is the server's fault: Hono's 500, not a 401 to the sender.
      const broken = new Hono();
      broken.post(
        "/hook",
        mod.webhookMiddleware((c) => c.env.WEBHOOK_SECRET),
      );
      const res = await broken.request(
        "/hook",
        { method: "POST", body: BODY, headers: signed() },
        { WEBHOOK_SECRET: "" },
      );
      assert.equal(res.status, 500);
    });
  });
}

test("hono on @hono/node-server over loopback", async () => {
  const { app, calls } = honoApp(honoEsm);
  const server = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  servers.push(server);
  const base = `http://127.0.0.1:${server.address().port}`;
  const ok = await post(base, "/hook", BODY, signed());
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.json.event, EVENT);
  const bad = await post(base, "/hook", BODY, forged());
  assertError(bad.status, bad.json, 401, "no_matching_signature");
  // Over the default 1 MiB, by Content-Length and chunked: the stream cancelled mid-body,
  // the 413 still reaches the sender.
  const big = sized(1024 * 1024 + 1);
  for (const body of [big, new Blob([big]).stream()]) {
    const res = await fetch(base + "/hook", {
      method: "POST",
      body,
      headers: signed(big),
      duplex: "half",
      signal: AbortSignal.timeout(5000),
    });
    assertError(res.status, await res.json(), 413, "body_too_large");
  }
  assert.equal(calls.length, 1);
});

// --- next (App Router route handlers: Request in, Response out) --------------------

for (const [flavour, mod] of [
  ["ESM", nextEsm],
  ["CJS", nextCjs],
]) {
  describe(`next (${flavour})`, () => {
    const request = (body, headers) => new Request("http://localhost/api/webhooks", { method: "POST", body, headers });

    test("withWebhook: the handler gets the event; forged answers 401 without calling it", async () => {
      const calls = [];
      const POST = mod.withWebhook(async (event, req, context) => {
        calls.push(event);
        return Response.json({ event, params: await context.params, url: req.url });
      }, SECRET);
      const ok = await POST(request(BODY, signed()), { params: Promise.resolve({ slug: "stripe" }) });
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), {
        event: EVENT,
        params: { slug: "stripe" },
        url: "http://localhost/api/webhooks",
      });
      const bad = await POST(request(BODY, forged()), { params: Promise.resolve({}) });
      assertError(bad.status, await bad.json(), 401, "no_matching_signature");
      const notJson = await POST(request("nope", signed("nope")));
      assertError(notJson.status, await notJson.json(), 400, "invalid_payload");
      assert.equal(calls.length, 1);
      assert.throws(() => mod.withWebhook(async () => {}, ""), { code: "invalid_secret" });
    });

    test("verifyNextRequest: { ok, event } or { ok: false, response }", async () => {
      const good = await mod.verifyNextRequest(request(BODY, signed()), SECRET);
      assert.deepEqual(good, { ok: true, event: EVENT });
      const bad = await mod.verifyNextRequest(request(BODY, forged()), SECRET);
      assert.equal(bad.ok, false);
      assert.equal(bad.error.code, "no_matching_signature");
      assertError(bad.response.status, await bad.response.json(), 401, "no_matching_signature");
      const gh = new Webhook("gh", { scheme: "github" });
      const viaGithub = await mod.verifyNextRequest(request(BODY, gh.sign(BODY)), "gh", { scheme: "github" });
      assert.deepEqual(viaGithub.event, EVENT);
    });
  });
}

test("next: a route handler module fed Next's own NextRequest, answering with NextResponse", async () => {
  const { NextRequest, NextResponse } = await import("next/server.js");
  const calls = [];
  // app/api/webhooks/route.js, as a Next.js app would write it:
  const POST = nextEsm.withWebhook(async (event, request) => {
    calls.push(event);
    return NextResponse.json({ received: true, path: request.nextUrl.pathname });
  }, SECRET);
  const nextRequest = (body, headers) =>
    new NextRequest("http://localhost:3000/api/webhooks", { method: "POST", body, headers });
  const ok = await POST(nextRequest(BODY, signed()), { params: Promise.resolve({}) });
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { received: true, path: "/api/webhooks" });
  const forgedResponse = await POST(nextRequest(BODY, forged()), { params: Promise.resolve({}) });
  assertError(forgedResponse.status, await forgedResponse.json(), 401, "no_matching_signature");
  assert.deepEqual(calls, [EVENT]);
});

// --- fastify -----------------------------------------------------------------------

async function fastifyApp({ webhookPlugin }) {
  const app = Fastify();
  const calls = [];
  app.register(async (scope) => {
    await scope.register(webhookPlugin, { secret: SECRET });
    scope.post("/hook", async (request) => {
      calls.push(request.webhook);
      return { event: request.webhook, raw: Buffer.isBuffer(request.body) ? request.body.toString("utf8") : null };
    });
  });
  // Outside the plugin's context: Fastify's own JSON parser, no verification.
  app.post("/plain", async (request) => ({ body: request.body, webhook: request.webhook ?? null }));
  await app.ready();
  return { app, calls };
}

for (const [flavour, mod] of [
  ["ESM", fastifyEsm],
  ["CJS", fastifyCjs],
]) {
  describe(`fastify (${flavour})`, () => {
    test("inject: signed reaches the handler with request.webhook; forged never does", async () => {
      const { app, calls } = await fastifyApp(mod);
      try {
        const ok = await app.inject({ method: "POST", url: "/hook", payload: BODY, headers: signed() });
        assert.equal(ok.statusCode, 200);
        assert.deepEqual(ok.json(), { event: EVENT, raw: BODY });
        const bad = await app.inject({ method: "POST", url: "/hook", payload: BODY, headers: forged() });
        assertError(bad.statusCode, bad.json(), 401, "no_matching_signature");
        const text = await app.inject({
          method: "POST",
          url: "/hook",
          payload: BODY,
          headers: { ...forged(), "content-type": "text/plain" },
        });
        assertError(text.statusCode, text.json(), 401, "no_matching_signature");
        const none = await app.inject({
          method: "POST",
          url: "/hook",
          payload: BODY,
          headers: { "content-type": "application/json" },
        });
        assertError(none.statusCode, none.json(), 401, "missing_header");
        assert.equal(calls.length, 1);
        // The parser is scoped: other routes still get parsed JSON and no verification.
        const plain = await app.inject({ method: "POST", url: "/plain", payload: { a: 1 } });
        assert.deepEqual(plain.json(), { body: { a: 1 }, webhook: null });
      } finally {
        await app.close();
      }
    });

    test("over loopback, and a bad secret fails the registration", async () => {
      const { app, calls } = await fastifyApp(mod);
      try {
        const base = await app.listen({ port: 0, host: "127.0.0.1" });
        const ok = await post(base, "/hook", BODY, signed());
        assert.deepEqual(ok.json.event, EVENT);
        const bad = await post(base, "/hook", BODY, forged());
        assertError(bad.status, bad.json, 401, "no_matching_signature");
        assert.equal(calls.length, 1);
      } finally {
        await app.close();
      }
      const broken = Fastify();
      broken.register(mod.webhookPlugin, { secret: "whsec_!!" });
      await assert.rejects(broken.ready(), { code: "invalid_secret" });
      await broken.close();
      for (const bodyLimit of ["1mb", -5, 1.5]) {
        const badLimit = Fastify();
        badLimit.register(mod.webhookPlugin, { secret: SECRET, bodyLimit });
        await assert.rejects(badLimit.ready(), { code: "invalid_option" }, `bodyLimit ${bodyLimit}`);
        await badLimit.close();
      }
    });
  });
}

// --- the body-size limit of hono, next and verifyRequest -----------------------------

// A body that arrives in `chunk`-byte pieces with no Content-Length (as a chunked one
// does); `seen` records how much of it was pulled and whether it was cancelled.
function streamed(body, chunk = 100) {
  const bytes = new TextEncoder().encode(body);
  const seen = { pulled: 0, cancelled: false };
  const stream = new ReadableStream(
    {
      pull(controller) {
        if (seen.pulled >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(seen.pulled, seen.pulled + chunk));
        seen.pulled += chunk;
      },
      cancel() {
        seen.cancelled = true;
      },
    },
    { highWaterMark: 0 }, // pulled only when read
  );
  return { stream, seen };
}

const webhookRequest = (body, headers = {}) =>
  new Request("http://localhost/hook", { method: "POST", body, headers, duplex: "half" });

const answered = async (res) => {
  const json = await res.json();
  return { status: res.status, code: json.error?.code, event: json.event };
};

// Each target: `make(options)`, and `verify(made, request)`, which resolves to the answer's
// { status, code, event } (status null where nothing answers: verifyRequest). A bad option
// throws from `make`, or (`perCall`) from the call that `make` returns.
const limitTargets = [
  ...[
    ["ESM", honoEsm],
    ["CJS", honoCjs],
  ].map(([flavour, mod]) => ({
    name: `hono (${flavour})`,
    make(options) {
      const app = new Hono();
      app.post("/hook", mod.webhookMiddleware(SECRET, options), (c) => c.json({ event: c.get("webhook") }));
      return app;
    },
    verify: async (app, request) => answered(await app.request(request)),
  })),
  ...[
    ["ESM", nextEsm],
    ["CJS", nextCjs],
  ].map(([flavour, mod]) => ({
    name: `next withWebhook (${flavour})`,
    make: (options) => mod.withWebhook(async (event) => Response.json({ event }), SECRET, options),
    verify: async (POST, request) => answered(await POST(request, { params: Promise.resolve({}) })),
  })),
  {
    name: "next verifyNextRequest",
    make: (options) => (request) => nextEsm.verifyNextRequest(request, SECRET, options),
    perCall: true,
    async verify(check, request) {
      const result = await check(request);
      return result.ok ? { status: 200, code: undefined, event: result.event } : answered(result.response);
    },
  },
  ...[
    ["ESM", () => import("../../pkg/src/node.mjs")],
    ["CJS", async () => pkgRequire("hookproof")],
  ].map(([flavour, load]) => ({
    name: `verifyRequest (${flavour})`,
    make: (options) => async (request) => (await load()).verifyRequest(request, SECRET, options),
    perCall: true,
    answers: false,
    async verify(verifyRequest, request) {
      try {
        return { status: null, code: undefined, event: await verifyRequest(request) };
      } catch (e) {
        return { status: null, code: e.code, event: undefined };
      }
    },
  })),
];

for (const target of limitTargets) {
  describe(`limit: ${target.name}`, () => {
    const tooLarge = {
      status: target.answers === false ? null : 413,
      code: "body_too_large",
      event: undefined,
    };
    test("a Content-Length over the limit is 413 body_too_large, the stream never read", async () => {
      const handle = target.make({ limit: 1000 });
      const { stream, seen } = streamed(BODY);
      const res = await target.verify(handle, webhookRequest(stream, { ...signed(), "content-length": "1001" }));
      assert.deepEqual(res, tooLarge);
      assert.equal(seen.pulled, 0);
    });

    test("a body streamed past the limit (no Content-Length) is 413; the stream is cancelled there", async () => {
      const handle = target.make({ limit: 1000 });
      const big = sized(5000);
      const { stream, seen } = streamed(big);
      const res = await target.verify(handle, webhookRequest(stream, signed(big)));
      assert.deepEqual(res, tooLarge);
      assert.equal(seen.cancelled, true);
      assert.ok(seen.pulled <= 1100, `read ${seen.pulled} bytes of a 1000-byte limit`);
    });

    test("exactly at the limit passes, streamed or by Content-Length; one byte more does not", async () => {
      const handle = target.make({ limit: 1000 });
      const at = sized(1000);
      const streamedAt = await target.verify(handle, webhookRequest(streamed(at).stream, signed(at)));
      assert.deepEqual(streamedAt.event, JSON.parse(at));
      const declaredAt = await target.verify(handle, webhookRequest(at, { ...signed(at), "content-length": "1000" }));
      assert.deepEqual(declaredAt.event, JSON.parse(at));
      const over = sized(1001);
      assert.deepEqual(await target.verify(handle, webhookRequest(streamed(over).stream, signed(over))), tooLarge);
    });

    test("the default limit is 1 MiB, as Express's", async () => {
      const handle = target.make({});
      const at = sized(1024 * 1024);
      const ok = await target.verify(handle, webhookRequest(streamed(at, 64 * 1024).stream, signed(at)));
      assert.deepEqual(ok.event, JSON.parse(at));
      const over = sized(1024 * 1024 + 1);
      assert.deepEqual(
        await target.verify(handle, webhookRequest(streamed(over, 64 * 1024).stream, signed(over))),
        tooLarge,
      );
    });

    test("a limit that is not a number of bytes is invalid_option, before the body is read", async () => {
      for (const limit of [-1, "1mb", NaN]) {
        const message = `limit ${limit}`;
        if (!target.perCall) {
          assert.throws(() => target.make({ limit }), { code: "invalid_option" }, message);
          continue;
        }
        const { stream, seen } = streamed(BODY);
        await assert.rejects(
          async () => target.make({ limit })(webhookRequest(stream, signed())),
          { code: "invalid_option" },
          message,
        );
        assert.equal(seen.pulled, 0, message);
      }
    });
  });
}

test("CJS integrations share dist/index.cjs's wasm instance (no second copy bundled)", () => {
  const root = pkgRequire("hookproof");
  for (const name of ["express", "fastify", "hono", "next"]) {
    // Bun takes the "bun" condition (the ES module, as for the root entry) even for require.
    const want = process.versions.bun ? `src/${name}\\.mjs$` : `dist/${name}\\.cjs$`;
    assert.match(pkgRequire.resolve(`hookproof/${name}`), new RegExp(want));
    const source = readFileSync(new URL(`../../pkg/dist/${name}.cjs`, import.meta.url), "utf8");
    assert.match(source, /require\("\.\/index\.cjs"\)/);
    assert.ok(!source.includes("WebAssembly"), `${name}.cjs embeds the wasm glue`);
  }
  // An error thrown by the integration is the root entry's class.
  try {
    expressCjs.webhookMiddleware("");
    assert.fail("expected a throw");
  } catch (e) {
    assert.ok(e instanceof root.WebhookVerificationError);
  }
});

// --- toolchain checks, under the machine's Node only (not re-run by tests/runtimes) -----

const PRIMARY = !process.versions.bun && !process.execPath.includes("node_modules");
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function run(cmd, args, timeoutMs) {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd: ROOT, timeout: timeoutMs, env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } },
      (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

test(
  "the declarations (pkg/{express,hono,next,fastify,redis,durable-object}.d.ts) type-check against the frameworks' and clients' types",
  { skip: !PRIMARY, timeout: 90_000 },
  async () => {
    const deno = `${ROOT}node_modules/.bin/deno`;
    const { code, output } = await run(
      deno,
      ["check", "--quiet", "--import-map", "tests/integrations/import_map.json", "tests/integrations/types.ts"],
      80_000,
    );
    assert.equal(code, 0, output);
  },
);

test(
  "hono on workerd: bundled with esbuild (workerd condition), the .wasm a workerd wasm module",
  { skip: !PRIMARY, timeout: 60_000 },
  async () => {
    const { startWorkerdHono } = await import("../integrations/workerd-hono/serve.mjs");
    const { base, stop } = await startWorkerdHono({ secret: SECRET });
    try {
      const ok = await post(base, "/hook", BODY, signed());
      assert.equal(ok.status, 200, JSON.stringify(ok.json));
      assert.deepEqual(ok.json.event, EVENT);
      const bad = await post(base, "/hook", BODY, forged());
      assertError(bad.status, bad.json, 401, "no_matching_signature");
      const stale = await post(
        base,
        "/hook",
        BODY,
        new Webhook(SECRET, { now: () => Date.now() - 3600_000 }).sign(BODY),
      );
      assertError(stale.status, stale.json, 401, "timestamp_too_old");
      const chunked = await fetch(base + "/small", {
        method: "POST",
        body: new Blob([BODY]).stream(),
        headers: signed(),
        duplex: "half",
        signal: AbortSignal.timeout(5000),
      });
      assertError(chunked.status, await chunked.json(), 413, "body_too_large");
      const calls = await (await fetch(base + "/calls", { signal: AbortSignal.timeout(5000) })).json();
      assert.deepEqual(calls, { handler: 1 });
    } finally {
      stop();
    }
  },
);

test(
  "hono on Deno: hookproof/hono resolved as an npm package from node_modules",
  { skip: !PRIMARY, timeout: 60_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "hookproof-deno-hono-"));
    try {
      mkdirSync(join(dir, "node_modules"));
      symlinkSync(join(ROOT, "pkg"), join(dir, "node_modules/hookproof"), "dir");
      symlinkSync(join(ROOT, "node_modules/hono"), join(dir, "node_modules/hono"), "dir");
      writeFileSync(
        join(dir, "package.json"),
        JSON.stringify({ private: true, dependencies: { hookproof: "*", hono: "*" } }),
      );
      copyFileSync(join(ROOT, "tests/integrations/deno-hono.mjs"), join(dir, "main.mjs"));
      const deno = join(ROOT, "node_modules/.bin/deno");
      const { code, output } = await new Promise((resolve) =>
        execFile(
          deno,
          ["run", "--quiet", "--no-remote", "--node-modules-dir=manual", "--allow-read", "main.mjs"],
          { cwd: dir, timeout: 50_000, env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } },
          (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, output: stdout + stderr }),
        ),
      );
      assert.equal(code, 0, output);
      const [ok, bad, tooLarge, calls] = output
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      assert.deepEqual(ok, { status: 200, body: { event: { type: "ping", n: 1 } } });
      assert.equal(bad.status, 401);
      assert.equal(bad.body.error.code, "no_matching_signature");
      assert.equal(tooLarge.status, 413);
      assert.equal(tooLarge.body.error.code, "body_too_large");
      assert.deepEqual(calls, { calls: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
