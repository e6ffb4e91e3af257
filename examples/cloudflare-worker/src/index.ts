// The Worker wrangler serves (wrangler.jsonc's "main"): a Hono app that verifies with
// hookproof/hono on POST /webhooks, and hands POST /plain to the framework-free Worker.
import { Hono } from "hono";
import { webhookMiddleware } from "hookproof/hono";
import plain, { type Env } from "./plain";

type Delivery = { type: string; data: unknown };
const app = new Hono<{ Bindings: Env }>();

// The secret is a binding: a function of the context, read on the first request.
app.post(
  "/webhooks",
  webhookMiddleware<Delivery, { Bindings: Env }>((c) => c.env.WEBHOOK_SECRET, { scheme: "standard" }),
  (c) => {
    console.log(`verified ${c.get("webhook").type}`);
    return c.body(null, 204);
  },
);
app.post("/plain", (c) => plain.fetch(c.req.raw, c.env));

export default app;
