// hookproof/fastify with the real Fastify from npm, ESM and CJS, on the built pkg/: the
// plugin's scoped parser by inject() and over loopback; bad options fail the registration.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import Fastify from "fastify";
import {
  fastifyEsm,
  fastifyCjs,
  SECRET,
  BODY,
  EVENT,
  signed,
  forged,
  assertError,
  post,
} from "../integrations/harness.mjs";

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
