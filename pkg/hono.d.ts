/**
 * hookproof/hono: webhook verification middleware for Hono, on every runtime Hono runs
 * on (Node, Deno, Bun, Cloudflare Workers).
 *
 * ```ts
 * import { Hono } from "hono";
 * import { webhookMiddleware } from "hookproof/hono";
 * const app = new Hono();
 * app.post("/webhooks", webhookMiddleware(SECRET), (c) => c.json({ got: c.get("webhook") }));
 * ```
 */
import type { MiddlewareHandler } from "hono";
import type { WebhookErrorCode, WebhookOptions, WebhookSecret } from "./index.js";

/**
 * The JSON body of every error answer: status 400 for `invalid_payload` (authentic but
 * not JSON), 401 for every other code.
 */
export interface WebhookErrorBody {
  error: { code: WebhookErrorCode; message: string };
}

/**
 * Reads the body as bytes (Hono caches it: the handler may still call `c.req.text()`),
 * verifies it, and sets the parsed event as `c.get("webhook")`; otherwise answers with a
 * {@link WebhookErrorBody} and the handler is not called.
 * @throws WebhookVerificationError at once for a bad secret (`invalid_secret`) or option.
 */
export function webhookMiddleware<T = unknown>(
  secret: WebhookSecret | WebhookSecret[],
  options?: WebhookOptions,
): MiddlewareHandler<{ Variables: { webhook: T } }>;
