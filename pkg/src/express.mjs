// hookproof/express: middleware for Express 4/5 (and anything with Node's req/res and
// next(), e.g. connect). It verifies the raw bytes of the body, wherever they are:
//   1. req.rawBody (set by `rawBodySaver` as express.json's `verify` option, or by hosts
//      such as Firebase/Google Cloud Functions),
//   2. req.body if it is a Buffer or a string (express.raw(), express.text()),
//   3. the request stream, read here, if no body parser has consumed it.
// A body already parsed to an object without its raw bytes cannot be verified (JSON
// re-serialised is not the bytes that were signed): that answers 500 invalid_body_type.
import { gunzipSync, inflateSync, brotliDecompressSync } from "node:zlib";
import { Webhook, WebhookVerificationError } from "#hookproof";
import { bodyLimit, checkContentLength, overLimit } from "./body.mjs";
import { DUPLICATE_BODY, accepted, claimDelivery, replayOptions } from "./claim.mjs";
import { errorBody, statusOf, webhookOptions } from "./respond.mjs";

/**
 * For body parsers' `verify` option: keeps the raw bytes as `req.rawBody`, so that
 * `webhookMiddleware` works when mounted after `express.json()` (or urlencoded, text).
 */
export function rawBodySaver(req, _res, buf) {
  req.rawBody = buf;
}

class BodyError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

function isBytes(value) {
  return typeof value === "string" || value instanceof Uint8Array;
}

function streamConsumed(req) {
  return req.readableEnded === true || req._body === true || (req.complete === true && req.readable === false);
}

function readStream(req, limit) {
  return new Promise((resolve, reject) => {
    checkContentLength(req.headers["content-length"], limit, BodyError); // a throw here rejects
    const chunks = [];
    let size = 0;
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onAborted);
    };
    const onData = (chunk) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.resume(); // drain, so that the answer can still be written
        reject(new BodyError("body_too_large", overLimit(limit)));
      } else {
        chunks.push(chunk);
      }
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err) => {
      cleanup();
      reject(err);
    };
    const onAborted = () => onError(Object.assign(new Error("request aborted"), { code: "ECONNABORTED" }));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onAborted);
  });
}

// As body-parser does before `verify`: signatures are over the decoded body.
function decode(req, buf, limit) {
  const encoding = String(req.headers["content-encoding"] ?? "identity")
    .trim()
    .toLowerCase();
  const opts = { maxOutputLength: limit };
  try {
    switch (encoding) {
      case "identity":
      case "":
        return buf;
      case "gzip":
      case "x-gzip":
        return gunzipSync(buf, opts);
      case "deflate":
        return inflateSync(buf, opts);
      case "br":
        return brotliDecompressSync(buf, opts);
    }
  } catch (e) {
    if (e?.code === "ERR_BUFFER_TOO_LARGE") {
      throw new BodyError("body_too_large", overLimit(limit, "decoded body"));
    }
    throw new BodyError("invalid_body_encoding", `the body is not valid ${encoding} data`);
  }
  throw new BodyError("unsupported_content_encoding", `unsupported Content-Encoding "${encoding}"`);
}

async function rawBody(req, limit) {
  if (isBytes(req.rawBody)) return req.rawBody;
  if (isBytes(req.body)) return req.body;
  if (!streamConsumed(req)) {
    const buf = decode(req, await readStream(req, limit), limit);
    if (req.rawBody === undefined) req.rawBody = buf;
    return buf;
  }
  throw new BodyError(
    "invalid_body_type",
    "the request body was already read by a body parser (express.json()?) and its raw bytes were not kept, " +
      "so its signature cannot be checked: mount webhookMiddleware before the body parser, or keep the raw bytes " +
      "with express.json({ verify: rawBodySaver }) (rawBodySaver from hookproof/express)",
  );
}

function answer(res, code, message) {
  if (code === "body_too_large") res.setHeader("connection", "close");
  send(res, statusOf(code), errorBody(code, message));
}

function send(res, status, json) {
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.end(JSON.stringify(json));
}

// The claim is released when the answer sent is not a 2xx (the handler failed, or threw
// and Express answered 500). A connection that closes before any answer (the provider gave
// up waiting) keeps it: the handler may still be doing the work, so the retry is a
// duplicate.
function releaseUnlessAccepted(res, release) {
  res.once("finish", () => {
    if (!accepted(res.statusCode)) release();
  });
}

/**
 * Express middleware: verifies the delivery, sets `req.webhook` to the parsed event
 * (and `req.rawBody` to the bytes if it read them) and calls next(); otherwise answers
 * 401 (400 for a body that is not JSON or not valid for its Content-Encoding, 413 too
 * large, 415 an unknown Content-Encoding, 500 if the raw body is gone, 503 if the replay
 * guard's store failed) with {"error": {"code", "message"}} and does not call next().
 * With `replayGuard`, a duplicate is answered 200 {"duplicate": true} without next().
 * Throws at once for a bad secret or option.
 */
export function webhookMiddleware(secret, options = {}) {
  const webhook = new Webhook(secret, webhookOptions(options));
  const limit = bodyLimit(options, WebhookVerificationError);
  const replay = replayOptions(options);
  return function hookproofWebhook(req, res, next) {
    rawBody(req, limit).then(
      async (body) => {
        let event;
        try {
          event = webhook.verify(body, req.headers);
          if (replay) {
            const release = await claimDelivery(replay, webhook, body, req.headers, event);
            if (release === null) return send(res, 200, DUPLICATE_BODY);
            releaseUnlessAccepted(res, release);
          }
        } catch (e) {
          if (e instanceof WebhookVerificationError) return answer(res, e.code, e.message);
          return next(e);
        }
        req.webhook = event;
        next();
      },
      (e) => (e instanceof BodyError ? answer(res, e.code, e.message) : next(e)),
    );
  };
}
