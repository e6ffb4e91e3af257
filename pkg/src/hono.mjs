// hookproof/hono: middleware for Hono on any runtime (Node, Deno, Bun, Workers). Reads
// the body as bytes (Hono caches it: the handler may still call c.req.json() or text()),
// verifies it, and sets the parsed event as c.get("webhook").
import { Webhook, WebhookVerificationError } from "#hookproof";
import { errorBody, statusOf, webhookOptions } from "./respond.mjs";

/**
 * Hono middleware: on success `c.set("webhook", event)` and next(); otherwise answers
 * 401 (400 for a body that is not JSON) with {"error": {"code", "message"}}.
 * Throws at once for a bad secret or option. `secret` may be a function of the context
 * (a Workers binding: `(c) => c.env.WEBHOOK_SECRET`), called on the first request.
 */
export function webhookMiddleware(secret, options = {}) {
  let webhook = typeof secret === "function" ? undefined : new Webhook(secret, webhookOptions(options));
  return async function hookproofWebhook(c, next) {
    // Outside the try below: a bad secret is the server's fault, not the sender's (500).
    webhook ??= new Webhook(secret(c), webhookOptions(options));
    let event;
    try {
      const body = new Uint8Array(await c.req.arrayBuffer());
      event = webhook.verify(body, c.req.raw.headers);
    } catch (e) {
      if (e instanceof WebhookVerificationError) return c.json(errorBody(e.code, e.message), statusOf(e.code));
      throw e;
    }
    c.set("webhook", event);
    await next();
  };
}
