// The body-size limit of verifyRequest and the integrations (express, hono, next): one
// default, one check of the `limit` option, one bounded read of a Fetch API Request's body.
// It imports nothing, because it is bundled into dist/index.cjs and again into each
// integration's CommonJS file: the error class is the caller's, so that what it throws is
// the package's one WebhookVerificationError (hookproof/express passes its own BodyError).

const DEFAULT_LIMIT = 1024 * 1024;

/** The `limit` option: bytes, default 1 MiB; otherwise throws `invalid_option` as `Err`. */
export function bodyLimit(options, Err) {
  const limit = options?.limit ?? DEFAULT_LIMIT;
  if (typeof limit !== "number" || !(limit >= 0)) {
    throw new Err("invalid_option", "limit must be a number of bytes");
  }
  return limit;
}

/** Throws `body_too_large` as `Err` when a Content-Length value declares more than `limit`. */
export function checkContentLength(contentLength, limit, Err) {
  const declared = Number(contentLength);
  if (Number.isFinite(declared) && declared > limit) {
    throw new Err("body_too_large", `the body is ${declared} bytes; the limit is ${limit}`);
  }
}

/** The message of a `body_too_large` found while reading: `what` is "body" or "decoded body". */
export function overLimit(limit, what = "body") {
  return `the ${what} exceeds the limit of ${limit} bytes`;
}

/**
 * The body of a Fetch API Request as bytes, read from its stream with web-standard APIs
 * only (Node, Deno, Bun, workerd). Throws `body_too_large` as `Err` at once when
 * Content-Length declares more than `limit`, or as soon as the bytes read pass it: the
 * stream is then cancelled, so nothing more is read. No body (`body` null) is an empty one.
 */
export async function readBody(request, limit, Err) {
  if (request.bodyUsed) {
    throw new Err("invalid_body_type", "the request's body was already read, so its raw bytes cannot be verified");
  }
  checkContentLength(request.headers.get("content-length"), limit, Err);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    size += chunk.value.byteLength;
    if (size > limit) {
      // Not awaited: the answer need not wait for the runtime to drop the rest.
      reader.cancel().catch(() => {});
      throw new Err("body_too_large", overLimit(limit));
    }
    chunks.push(chunk.value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
