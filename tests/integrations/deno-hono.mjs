// Run by tests/node/integrations-toolchains.test.mjs under Deno, in a scratch project whose
// node_modules links hookproof (pkg/) and hono: hookproof/hono as Deno resolves an npm
// package (exports map, "deno" condition). Prints one JSON line per delivery.
import { Hono } from "hono";
import { webhookMiddleware } from "hookproof/hono";
import { Webhook } from "hookproof";

const SECRET = "whsec_" + btoa("hookproof deno hono test");
const BODY = JSON.stringify({ type: "ping", n: 1 });
const app = new Hono();
let calls = 0;
app.post("/hook", webhookMiddleware(SECRET), (c) => {
  calls++;
  return c.json({ event: c.get("webhook") });
});
// Over its limit, streamed with no Content-Length: read with Deno's ReadableStream reader.
app.post("/small", webhookMiddleware(SECRET, { limit: 16 }), () => {
  calls++;
});
for (const [path, secret, body] of [
  ["/hook", SECRET, BODY],
  ["/hook", "whsec_" + btoa("another key"), BODY],
  ["/small", SECRET, new Blob([BODY]).stream()],
]) {
  const request = new Request("http://localhost" + path, {
    method: "POST",
    body,
    headers: new Webhook(secret).sign(BODY),
    duplex: "half",
  });
  const res = await app.request(request);
  console.log(JSON.stringify({ status: res.status, body: await res.json() }));
}
console.log(JSON.stringify({ calls }));
