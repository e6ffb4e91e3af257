/**
 * hookproof/next: for Next.js App Router route handlers (`app/.../route.ts`), which take
 * a Fetch API `Request` (NextRequest) and return a `Response`. Works on the Node.js runtime;
 * nothing here depends on Next itself.
 *
 * ```ts
 * import { withWebhook } from "hookproof/next";
 * export const POST = withWebhook(async (event) => Response.json({ received: true }), process.env.WEBHOOK_SECRET!);
 * ```
 */
import type {
  ReplayOptions,
  VerifyRequestOptions,
  WebhookErrorCode,
  WebhookSecret,
  WebhookVerificationError,
} from "./index.js";

/**
 * The JSON body of every error answer: status 400 for `invalid_payload` (authentic but
 * not JSON), 413 for `body_too_large` (over `limit`), 500 for `invalid_body_type` (the
 * body was already read), 503 for `replay_store_unavailable` (`replayGuard`), 401 for every
 * other code.
 */
export interface WebhookErrorBody {
  error: { code: WebhookErrorCode; message: string };
}

/**
 * With `replayGuard` only: `release()` undoes the delivery's claim when processing failed,
 * and `duplicate: true` says the delivery was claimed before (`response` is then the 200
 * `{"duplicate": true}` to return).
 */
export type VerifyNextRequestResult<T> =
  | { ok: true; event: T; release?: () => Promise<void> }
  | { ok: false; duplicate?: false; error: WebhookVerificationError; response: Response }
  | { ok: false; duplicate: true; error: null; response: Response };

/**
 * Reads the request body (once, as bytes, at most `options.limit` of them: default 1 MiB;
 * see {@link VerifyRequestOptions}) and verifies it. Resolves to `{ ok: true, event }`, or
 * `{ ok: false, error, response }` where `response` is the 401 (400 for a body that is not
 * JSON, 413 for one over the limit, 503 when the replay guard's store failed) with a
 * {@link WebhookErrorBody}, ready to return. With `replayGuard`, `{ ok: true, event,
 * release }`, and a duplicate resolves to `{ ok: false, duplicate: true, error: null,
 * response }` (a 200).
 * @throws WebhookVerificationError for a bad secret (`invalid_secret`) or option.
 */
export function verifyNextRequest<T = unknown>(
  request: Request,
  secret: WebhookSecret | WebhookSecret[],
  options?: VerifyRequestOptions & ReplayOptions<T>,
): Promise<VerifyNextRequestResult<T>>;

/**
 * Wraps a route handler: it runs only for a verified delivery, with the parsed event, the
 * request (body already read, at most `options.limit` bytes: default 1 MiB) and the route
 * context (`{ params }`) as given by Next. Otherwise the wrapper returns the 401 (400 for a
 * body that is not JSON, 413 for one over the limit). With `replayGuard` (see
 * {@link ReplayOptions}), a duplicate is answered 200 `{"duplicate": true}` without the
 * handler, and a handler that throws or answers other than 2xx releases the claim.
 * @throws WebhookVerificationError at once for a bad secret (`invalid_secret`) or option.
 */
export function withWebhook<T = unknown, C = unknown>(
  handler: (event: T, request: Request, context: C) => Response | Promise<Response>,
  secret: WebhookSecret | WebhookSecret[],
  options?: VerifyRequestOptions & ReplayOptions<T>,
): (request: Request, context: C) => Promise<Response>;
