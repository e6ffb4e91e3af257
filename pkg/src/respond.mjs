// Shared by the framework integrations (express, hono, next, fastify): how a failed
// verification is answered. Bundled into each integration's CommonJS file.

/** HTTP status per error code; every other code (a failed verification) is 401. */
const STATUS = {
  // The receiver's fault, not the sender's: the raw body was not available (a body
  // parser ran first). 500 so that the provider retries once it is fixed.
  invalid_body_type: 500,
  // Authentic, but not JSON.
  invalid_payload: 400,
  // Express: the body is not valid gzip, deflate or br data as its Content-Encoding says.
  invalid_body_encoding: 400,
  body_too_large: 413,
  unsupported_content_encoding: 415,
  // The replay guard's store failed: whether the delivery is a duplicate is unknown, so it
  // is neither processed nor acknowledged, and the provider retries.
  replay_store_unavailable: 503,
};

export function statusOf(code) {
  return STATUS[code] ?? 401;
}

/** The JSON body of every error answer: {"error": {"code", "message"}}. */
export function errorBody(code, message) {
  return { error: { code, message } };
}

/** Splits the integration's own options from the Webhook constructor's. */
export function webhookOptions(options) {
  if (options === undefined) return {};
  if (options === null || typeof options !== "object") return options; // Webhook reports it
  const { scheme, toleranceSeconds, now } = options;
  const out = {};
  if (scheme !== undefined) out.scheme = scheme;
  if (toleranceSeconds !== undefined) out.toleranceSeconds = toleranceSeconds;
  if (now !== undefined) out.now = now;
  return out;
}
