// hookproof/hono: middleware for Hono on any runtime (Node, Deno, Bun, Workers). Reads
// the body as bytes, at most `limit` of them, verifies it, and sets the parsed event as
// c.get("webhook"). The bytes go into Hono's body cache: the handler may still call
// c.req.json() or text().
import { Webhook, WebhookVerificationError } from "#hookproof";
import { bodyLimit, checkContentLength, readBody } from "./body.mjs";
import { DUPLICATE_BODY, accepted, claimDelivery, replayOptions } from "./claim.mjs";
import { errorBody, statusOf, webhookOptions } from "./respond.mjs";

async function honoBody(req, limit) {
  if (Object.keys(req.bodyCache).length > 0) {
    // Already read by another middleware, through Hono's cache: no stream left to count.
    const body = new Uint8Array(await req.arrayBuffer());
    checkContentLength(body.length, limit, WebhookVerificationError);
    return body;
  }
  const body = await readBody(req.raw, limit, WebhookVerificationError);
  req.bodyCache.arrayBuffer = Promise.resolve(body.buffer);
  return body;
}

/**
 * Hono middleware: on success `c.set("webhook", event)` and next(); otherwise answers
 * 401 (400 for a body that is not JSON, 413 for one over `limit`, 503 if the replay guard's
 * store failed) with {"error": {"code", "message"}}. With `replayGuard`, a duplicate is
 * answered 200 {"duplicate": true} without next(), and a handler that throws or answers
 * other than 2xx releases the claim.
 * Throws at once for a bad secret or option. `secret` may be a function of the context
 * (a Workers binding: `(c) => c.env.WEBHOOK_SECRET`), called on the first request.
 */
export function webhookMiddleware(secret, options = {}) {
  let webhook = typeof secret === "function" ? undefined : new Webhook(secret, webhookOptions(options));
  const limit = bodyLimit(options, WebhookVerificationError);
  const replay = replayOptions(options);
  return async function hookproofWebhook(c, next) {
    // Outside the try below: a bad secret is the server's fault, not the sender's (500).
    webhook ??= new Webhook(secret(c), webhookOptions(options));
    let event;
    let release;
    try {
      const body = await honoBody(c.req, limit);
      event = webhook.verify(body, c.req.raw.headers);
      if (replay) {
        release = await claimDelivery(replay, webhook, body, c.req.raw.headers, event);
        if (release === null) return c.json(DUPLICATE_BODY, 200);
      }
    } catch (e) {
      if (e instanceof WebhookVerificationError) return c.json(errorBody(e.code, e.message), statusOf(e.code));
      throw e;
    }
    c.set("webhook", event);
    if (!release) return next();
    try {
      await next();
    } catch (e) {
      await release();
      throw e;
    }
    // Hono's compose catches a handler's error into c.error and answers with onError.
    if (c.error !== undefined || !accepted(c.res.status)) await release();
  };
}
