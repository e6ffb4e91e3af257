// hookproof/next: for Next.js App Router route handlers (app/**/route.ts), which take a
// Fetch API Request (NextRequest) and return a Response. Nothing here depends on Next:
// it works for any `(request: Request) => Response` handler.
import { Webhook, WebhookVerificationError } from "#hookproof";
import { bodyLimit, readBody } from "./body.mjs";
import { errorBody, statusOf, webhookOptions } from "./respond.mjs";

function errorResponse(e) {
  return Response.json(errorBody(e.code, e.message), { status: statusOf(e.code) });
}

async function check(webhook, limit, request) {
  if (!request || typeof request.arrayBuffer !== "function") {
    throw new WebhookVerificationError(
      "invalid_body_type",
      "expected a Fetch API Request (the route handler's first argument)",
    );
  }
  try {
    const event = webhook.verify(await readBody(request, limit, WebhookVerificationError), request.headers);
    return { ok: true, event };
  } catch (e) {
    if (e instanceof WebhookVerificationError) return { ok: false, error: e, response: errorResponse(e) };
    throw e;
  }
}

/**
 * Reads the request body (once, at most `options.limit` bytes) and verifies it. Resolves
 * to `{ ok: true, event }`, or `{ ok: false, error, response }` where `response` is the
 * 401 (400, 413) to return.
 */
export function verifyNextRequest(request, secret, options = {}) {
  const webhook = new Webhook(secret, webhookOptions(options));
  return check(webhook, bodyLimit(options, WebhookVerificationError), request);
}

/**
 * Wraps a route handler: `export const POST = withWebhook(async (event, request, context) => ...)`.
 * The handler runs only for a verified delivery; otherwise the wrapper returns the 401
 * (400, 413).
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
  return async function hookproofRoute(request, context) {
    const result = await check(webhook, limit, request);
    return result.ok ? handler(result.event, request, context) : result.response;
  };
}
