// hookproof/fastify: a Fastify plugin for the encapsulated context holding the webhook
// routes. In that context (and its children) it replaces the content type parsers with one
// that keeps the raw bytes (parseAs: "buffer"), so request.body is a Buffer there, and a
// preValidation hook verifies it and sets request.webhook to the parsed event. Routes
// outside that context keep Fastify's JSON parser.
import { Webhook, WebhookVerificationError } from "#hookproof";
import { errorBody, statusOf, webhookOptions } from "./respond.mjs";
import { DUPLICATE_BODY, accepted, claimDelivery, replayOptions } from "./claim.mjs";

const EMPTY = new Uint8Array(0);
// A request's release of its replay claim, for the onResponse hook.
const releases = new WeakMap();

/**
 * `scope.register(webhookPlugin, { secret, scheme, toleranceSeconds, bodyLimit, replayGuard })`.
 * Answers 401 (400 for a body that is not JSON, 503 if the replay guard's store failed)
 * with {"error": {"code", "message"}}; the handler is not called. With `replayGuard`, a
 * duplicate is answered 200 {"duplicate": true} without the handler, and an answer other
 * than 2xx (a handler that throws: 500) releases the claim. A bad secret or option fails
 * the registration.
 */
export async function webhookPlugin(fastify, options = {}) {
  const webhook = new Webhook(options.secret, webhookOptions(options));
  const replay = replayOptions(options);
  const parserOptions = { parseAs: "buffer" };
  if (options.bodyLimit !== undefined) {
    if (!Number.isInteger(options.bodyLimit) || options.bodyLimit < 0) {
      throw new WebhookVerificationError("invalid_option", "bodyLimit must be a whole number of bytes >= 0");
    }
    parserOptions.bodyLimit = options.bodyLimit;
  }
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser("*", parserOptions, (_request, body, done) => done(null, body));
  if (!fastify.hasRequestDecorator("webhook")) fastify.decorateRequest("webhook", null);
  fastify.addHook("preValidation", async (request, reply) => {
    try {
      const body = request.body ?? EMPTY;
      request.webhook = webhook.verify(body, request.headers);
      if (replay) {
        const release = await claimDelivery(replay, webhook, body, request.headers, request.webhook);
        if (release === null) return reply.code(200).send(DUPLICATE_BODY);
        releases.set(request, release);
      }
    } catch (e) {
      if (e instanceof WebhookVerificationError) {
        return reply.code(statusOf(e.code)).send(errorBody(e.code, e.message));
      }
      throw e;
    }
  });
  if (replay) {
    fastify.addHook("onResponse", async (request, reply) => {
      const release = releases.get(request);
      if (release && !accepted(reply.statusCode)) await release();
    });
  }
}
// As fastify-plugin does: the parser, decorator and hook apply to the context the plugin
// is registered in, not to a child context of their own.
webhookPlugin[Symbol.for("skip-override")] = true;
webhookPlugin[Symbol.for("fastify.display-name")] = "hookproof";
