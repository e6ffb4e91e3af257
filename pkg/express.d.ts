/**
 * hookproof/express: webhook verification middleware for Express 4 and 5 (and any
 * Node `(req, res, next)` stack such as connect).
 *
 * ```js
 * import express from "express";
 * import { webhookMiddleware } from "hookproof/express";
 * const app = express();
 * app.post("/webhooks", webhookMiddleware(process.env.WEBHOOK_SECRET), (req, res) => res.json({ got: req.webhook.type }));
 * ```
 *
 * With TypeScript, `req.webhook` is typed with {@link WebhookTypes}.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ReplayOptions, WebhookErrorCode, WebhookOptions, WebhookSecret } from "./index.js";

/** The `error.code` of an answer: the verifier's codes and the body reader's own. */
export type WebhookResponseErrorCode =
  | WebhookErrorCode
  /** 413: the body as received, or once decoded (Content-Encoding gzip/deflate/br), exceeds `limit`. */
  | "body_too_large"
  /** 400: the body is not valid data for its Content-Encoding (gzip, deflate or br). */
  | "invalid_body_encoding"
  /** 415: a Content-Encoding other than identity, gzip, deflate or br. */
  | "unsupported_content_encoding";

/**
 * The JSON body of every error answer. Status: 500 for `invalid_body_type` (the raw body
 * was consumed by a body parser: a server misconfiguration), 400 for `invalid_payload`
 * (authentic but not JSON) and `invalid_body_encoding`, 413 `body_too_large`, 415
 * `unsupported_content_encoding`, 503 `replay_store_unavailable` (`replayGuard`), 401 for
 * every other code.
 */
export interface WebhookErrorBody {
  error: { code: WebhookResponseErrorCode; message: string };
}

/**
 * `replayKey` gets the event type of {@link WebhookTypes} (the type of `req.webhook`), or
 * `any` when none is declared.
 */
export interface ExpressWebhookOptions extends WebhookOptions, ReplayOptions<WebhookEvent> {
  /**
   * Largest body read from the stream, in bytes: as received, and again once decoded for
   * Content-Encoding gzip, deflate or br. Default 1 MiB (1048576). A `Content-Length` over
   * it is refused before anything is read. Over it: 413 `body_too_large`. Anything but a
   * number >= 0 is `invalid_option`.
   */
  limit?: number;
}

/**
 * Types `req.webhook` for the whole app, and the event `replayKey` is given. Express types
 * `req` once for every route (the global `Express.Request`), so a middleware cannot type it
 * per route as Hono's does, and a route handler annotated with a narrower `req` is refused
 * by `app.post`. Name the event type here instead (a union when several providers post to
 * the app):
 *
 * ```ts
 * declare module "hookproof/express" {
 *   interface WebhookTypes {
 *     event: Stripe.Event;
 *   }
 * }
 * ```
 */
export interface WebhookTypes {}

/**
 * The type of `req.webhook` (and of `replayKey`'s event): `event` of {@link WebhookTypes},
 * or `unknown` when not declared (`replayKey` then gets `any`).
 */
export type WebhookEvent = WebhookTypes extends { event: infer T } ? T : unknown;

/**
 * The raw body, for the `verify` option of `express.json()`, `express.urlencoded()`,
 * `express.text()` (body-parser): stores the bytes as `req.rawBody`, so that
 * `webhookMiddleware` works when mounted after that parser.
 *
 * ```js
 * app.use(express.json({ verify: rawBodySaver }));
 * ```
 */
export function rawBodySaver(req: IncomingMessage, res: ServerResponse, buf: Buffer): void;

/**
 * Middleware that verifies the delivery and sets `req.webhook` to the parsed event.
 *
 * The signed bytes are taken from, in order: `req.rawBody` (see {@link rawBodySaver}),
 * `req.body` if it is a Buffer or string (`express.raw()`, `express.text()`), or the
 * request stream if no body parser consumed it (then also stored as `req.rawBody`).
 * If a parser consumed the stream and kept no raw bytes (a plain `express.json()` mounted
 * first), the answer is 500 `invalid_body_type`: a parsed object cannot be verified.
 *
 * On failure it answers with a {@link WebhookErrorBody} and never calls `next()`. With
 * `replayGuard` (see {@link ReplayOptions}), a duplicate is answered 200
 * `{"duplicate": true}` without `next()`, and an answer other than 2xx (the handler
 * failed, or threw and Express answered 500) releases the claim.
 * @throws WebhookVerificationError at once for a bad secret (`invalid_secret`) or option.
 */
export function webhookMiddleware(
  secret: WebhookSecret | WebhookSecret[],
  options?: ExpressWebhookOptions,
): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

declare global {
  // Merges into @types/express's Request when it is installed.
  namespace Express {
    interface Request {
      /**
       * The verified, parsed event (hookproof/express), on the routes behind
       * `webhookMiddleware`; its type is declared with {@link WebhookTypes}.
       */
      webhook?: WebhookEvent;
      /** The raw body bytes (hookproof/express's rawBodySaver or webhookMiddleware). */
      rawBody?: Buffer | string;
    }
  }
}
