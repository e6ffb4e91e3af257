// Run by tests/node/integrations.test.mjs under Deno, in a scratch project whose
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
for (const secret of [SECRET, "whsec_" + btoa("another key")]) {
  const res = await app.request("/hook", { method: "POST", body: BODY, headers: new Webhook(secret).sign(BODY) });
  console.log(JSON.stringify({ status: res.status, body: await res.json() }));
}
console.log(JSON.stringify({ calls }));
