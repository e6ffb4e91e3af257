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
import type { Context, Env, MiddlewareHandler } from "hono";
import type { ReplayOptions, VerifyRequestOptions, WebhookErrorCode, WebhookSecret } from "./index.js";

/**
 * The JSON body of every error answer: status 400 for `invalid_payload` (authentic but
 * not JSON), 413 for `body_too_large` (over `limit`), 500 for `invalid_body_type` (another
 * middleware read the request's stream first: the raw body is gone), 503 for
 * `replay_store_unavailable` (`replayGuard`), 401 for every other code.
 */
export interface WebhookErrorBody {
  error: { code: WebhookErrorCode; message: string };
}

/**
 * Reads the body as bytes, at most `options.limit` of them (default 1 MiB; see
 * {@link VerifyRequestOptions}), verifies it, and sets the parsed event as
 * `c.get("webhook")`; otherwise answers with a {@link WebhookErrorBody} and the handler is
 * not called. With `replayGuard` (see {@link ReplayOptions}), a duplicate is answered 200
 * `{"duplicate": true}` without the handler, and a handler that throws or answers other
 * than 2xx releases the claim. The bytes go into Hono's body cache: the handler may still call
 * `c.req.text()`. `T` types the event.
 *
 * `secret` may be a function of the request's context, for a secret that is a binding
 * (Workers: `webhookMiddleware<MyEvent, AppEnv>((c) => c.env.WEBHOOK_SECRET)`, with `E`
 * the app's `Env`): it is called on the first request, and the verifier it makes is kept.
 * A bad secret then throws on that request (Hono answers 500, and the provider retries).
 * @throws WebhookVerificationError at once for a bad secret (`invalid_secret`) or option,
 *   when `secret` is not a function.
 */
export function webhookMiddleware<T = unknown, E extends Env = Env>(
  secret: WebhookSecret | WebhookSecret[] | ((c: Context<E>) => WebhookSecret | WebhookSecret[]),
  options?: VerifyRequestOptions & ReplayOptions<T>,
): MiddlewareHandler<E & { Variables: { webhook: T } }>;
