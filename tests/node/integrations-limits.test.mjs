// The body-size limit of hookproof/hono, hookproof/next and verifyRequest, ESM and CJS:
// 413 body_too_large by Content-Length or once a stream passes it (cancelled there),
// exactly at the limit, the 1 MiB default, and bad limits.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import {
  honoEsm,
  honoCjs,
  nextEsm,
  nextCjs,
  pkgRequire,
  SECRET,
  BODY,
  signed,
  sized,
} from "../integrations/harness.mjs";

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
