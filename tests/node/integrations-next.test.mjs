// hookproof/next, ESM and CJS, on the built pkg/: App Router route handlers (Request in,
// Response out) with withWebhook and verifyNextRequest, and fed Next's own NextRequest.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { Webhook } from "../../pkg/src/node.mjs";
import { nextEsm, nextCjs, SECRET, BODY, EVENT, signed, forged, assertError } from "../integrations/harness.mjs";

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
