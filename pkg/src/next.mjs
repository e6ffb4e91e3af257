// hookproof/next: for Next.js App Router route handlers (app/**/route.ts), which take a
// Fetch API Request (NextRequest) and return a Response. Nothing here depends on Next:
// it works for any `(request: Request) => Response` handler.
import { Webhook, WebhookVerificationError } from "#hookproof";
import { bodyLimit, readBody } from "./body.mjs";
import { DUPLICATE_BODY, accepted, claimDelivery, replayOptions } from "./claim.mjs";
import { errorBody, statusOf, webhookOptions } from "./respond.mjs";

function errorResponse(e) {
  return Response.json(errorBody(e.code, e.message), { status: statusOf(e.code) });
}

async function check(webhook, limit, request, replay) {
  if (!request || typeof request.arrayBuffer !== "function") {
    throw new WebhookVerificationError(
      "invalid_body_type",
      "expected a Fetch API Request (the route handler's first argument)",
    );
  }
  try {
    const body = await readBody(request, limit, WebhookVerificationError);
    const event = webhook.verify(body, request.headers);
    if (!replay) return { ok: true, event };
    const release = await claimDelivery(replay, webhook, body, request.headers, event);
    if (release === null) {
      return { ok: false, duplicate: true, error: null, response: Response.json(DUPLICATE_BODY) };
    }
    return { ok: true, event, release };
  } catch (e) {
    if (e instanceof WebhookVerificationError) {
      return { ok: false, error: e, response: errorResponse(e) };
    }
    throw e;
  }
}

/**
 * Reads the request body (once, at most `options.limit` bytes) and verifies it. Resolves
 * to `{ ok: true, event }`, or `{ ok: false, error, response }` where `response` is the
 * 401 (400, 413, 503) to return. With `replayGuard`: `{ ok: true, event, release }`, where
 * `release()` undoes the claim when processing fails, and for a duplicate
 * `{ ok: false, duplicate: true, error: null, response }`, a 200.
 */
export function verifyNextRequest(request, secret, options = {}) {
  const webhook = new Webhook(secret, webhookOptions(options));
  return check(webhook, bodyLimit(options, WebhookVerificationError), request, replayOptions(options));
}

/**
 * Wraps a route handler: `export const POST = withWebhook(async (event, request, context) => ...)`.
 * The handler runs only for a verified delivery (and with `replayGuard`, not for a
 * duplicate, answered 200); otherwise the wrapper returns the 401 (400, 413, 503). A
 * handler that throws or answers other than 2xx releases the claim.
 * Throws at once for a bad secret or option.
 */
export function withWebhook(handler, secret, options = {}) {
  if (typeof handler !== "function") {
    throw new WebhookVerificationError(
      "invalid_option",
      "withWebhook(handler, secret, options): handler must be a function",
    );
  }
  const webhook = new Webhook(secret, webhookOptions(options));
  const limit = bodyLimit(options, WebhookVerificationError);
  const replay = replayOptions(options);
  return async function hookproofRoute(request, context) {
    const result = await check(webhook, limit, request, replay);
    if (!result.ok) return result.response;
    let response;
    try {
      response = await handler(result.event, request, context);
    } catch (e) {
      await result.release?.();
      throw e;
    }
    if (!accepted(response?.status)) await result.release?.();
    return response;
  };
}
