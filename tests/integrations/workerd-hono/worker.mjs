// A Hono app on workerd using hookproof/hono: POST /hook verifies the delivery and answers
// {"event": ...}; a forged one gets 401 {"error": {"code", "message"}} from the middleware.
// Bundled with Hono by esbuild (conditions: workerd), the package's .wasm kept as an
// external `wasm` module that workerd compiles ahead of time (see drive.mjs).
import { Hono } from "hono";
import { webhookMiddleware } from "hookproof/hono";

const app = new Hono();
const calls = { handler: 0 };

app.post(
  "/hook",
  // The secret is a binding, known per request: read on the first one.
  webhookMiddleware((c) => c.env.WEBHOOK_SECRET),
  (c) => {
    calls.handler++;
    return c.json({ event: c.get("webhook") });
  },
);
// A small limit, for a body that workerd hands over as a stream.
app.post(
  "/small",
  webhookMiddleware((c) => c.env.WEBHOOK_SECRET, { limit: 16 }),
  (c) => {
    calls.handler++;
    return c.json({ event: c.get("webhook") });
  },
);
app.get("/calls", (c) => c.json(calls));

export default app;
