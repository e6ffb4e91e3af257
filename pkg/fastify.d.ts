/**
 * hookproof/fastify: a Fastify plugin that verifies the deliveries to the routes of the
 * encapsulated context it is registered in.
 *
 * ```js
 * import { webhookPlugin } from "hookproof/fastify";
 * app.register(async (scope) => {
 *   await scope.register(webhookPlugin, { secret: process.env.WEBHOOK_SECRET });
 *   scope.post<{ Webhook: MyEvent }>("/webhooks", async (request) => ({ got: request.webhook.type }));
 * });
 * ```
 */
import type { FastifyPluginAsync, RouteGenericInterface } from "fastify";
import type { ReplayOptions, WebhookErrorCode, WebhookOptions, WebhookSecret } from "./index.js";

/**
 * The JSON body of every error answer: status 400 for `invalid_payload` (authentic but
 * not JSON), 503 for `replay_store_unavailable` (`replayGuard`), 401 for every other code.
 */
export interface WebhookErrorBody {
  error: { code: WebhookErrorCode; message: string };
}

export interface FastifyWebhookOptions extends WebhookOptions, ReplayOptions {
  /** One secret, or several during a rotation. */
  secret: WebhookSecret | WebhookSecret[];
  /** Largest body, in bytes. Default: the Fastify instance's `bodyLimit` (1 MiB). */
  bodyLimit?: number;
}

/**
 * In the context it is registered in (and its children), not elsewhere: replaces the
 * content type parsers with one that keeps the raw bytes (`request.body` is a Buffer there),
 * verifies every request in a preValidation hook and sets `request.webhook` to the parsed
 * event; otherwise answers with a {@link WebhookErrorBody} and the handler is not called.
 * With `replayGuard` (see {@link ReplayOptions}), a duplicate is answered 200
 * `{"duplicate": true}` without the handler, and an answer other than 2xx (a handler that
 * throws: 500) releases the claim.
 * Register it inside `app.register(async (scope) => ...)` with the webhook routes, not on
 * the root instance (where it would apply to every route). Like a `fastify-plugin`
 * plugin, it has no encapsulation of its own.
 * A bad secret or option fails the registration (`invalid_secret`, `invalid_option`).
 */
export const webhookPlugin: FastifyPluginAsync<FastifyWebhookOptions>;

declare module "fastify" {
  interface RouteGenericInterface {
    /**
     * The type of `request.webhook` on this route, beside `Body`, `Params`, ...:
     * `scope.post<{ Webhook: MyEvent }>("/webhooks", handler)`.
     */
    Webhook?: unknown;
  }
  // Fastify's own first type parameter, as declared there: merged declarations must match.
  interface FastifyRequest<RouteGeneric extends RouteGenericInterface = RouteGenericInterface> {
    /**
     * The verified, parsed event, in the context of hookproof/fastify's webhookPlugin:
     * typed by the route's `Webhook` (see {@link RouteGenericInterface}), else `unknown`.
     */
    webhook: RouteGeneric extends { Webhook: infer T } ? T : unknown;
  }
}
