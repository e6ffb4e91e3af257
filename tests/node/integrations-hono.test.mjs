// hookproof/hono with the real Hono from npm, ESM and CJS, on the built pkg/: in-process
// (app.request()) and on @hono/node-server over loopback; a body already read; a secret
// from the context.
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { serve } from "@hono/node-server";
import {
  honoEsm,
  honoCjs,
  SECRET,
  BODY,
  EVENT,
  signed,
  forged,
  assertError,
  sized,
  servers,
  post,
  closeServers,
} from "../integrations/harness.mjs";

after(closeServers);

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
