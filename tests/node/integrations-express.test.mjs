// hookproof/express with the real Express 5 and 4 from npm, ESM and CJS, on the built
// pkg/: a signed delivery reaches the handler with the parsed event; a forged one never
// does (401 {"error": {"code", "message"}}); behind each body parser; gzip and the limit.
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import express5 from "express";
import express4 from "express4";
import { Webhook } from "../../pkg/src/node.mjs";
import {
  expressEsm,
  expressCjs,
  SECRET,
  BODY,
  EVENT,
  signed,
  forged,
  assertError,
  listen,
  post,
  closeServers,
} from "../integrations/harness.mjs";

after(closeServers);

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
