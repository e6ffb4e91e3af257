// hookproof/fastify: a Fastify plugin for the encapsulated context holding the webhook
// routes. In that context (and its children) it replaces the content type parsers with one
// that keeps the raw bytes (parseAs: "buffer"), so request.body is a Buffer there, and a
// preValidation hook verifies it and sets request.webhook to the parsed event. Routes
// outside that context keep Fastify's JSON parser.
import { Webhook, WebhookVerificationError } from "#hookproof";
import { errorBody, statusOf, webhookOptions } from "./respond.mjs";

const EMPTY = new Uint8Array(0);

/**
 * `scope.register(webhookPlugin, { secret, scheme, toleranceSeconds, bodyLimit })`.
 * Answers 401 (400 for a body that is not JSON) with {"error": {"code", "message"}};
 * the handler is not called. A bad secret or option fails the registration.
 */
export async function webhookPlugin(fastify, options = {}) {
  const webhook = new Webhook(options.secret, webhookOptions(options));
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
      request.webhook = webhook.verify(request.body ?? EMPTY, request.headers);
    } catch (e) {
      if (e instanceof WebhookVerificationError) {
        return reply.code(statusOf(e.code)).send(errorBody(e.code, e.message));
      }
      throw e;
    }
  });
}
// As fastify-plugin does: the parser, decorator and hook apply to the context the plugin
// is registered in, not to a child context of their own.
webhookPlugin[Symbol.for("skip-override")] = true;
webhookPlugin[Symbol.for("fastify.display-name")] = "hookproof";
