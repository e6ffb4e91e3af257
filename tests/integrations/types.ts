// Type-checks the integrations' declarations (pkg/*.d.ts) against the frameworks' own
// types: `deno check tests/integrations/types.ts` (run by tests/integrations/run.sh).
import { Hono } from "hono";
import Fastify from "fastify";
import type { Webhook } from "../../pkg/index.js";
import { rawBodySaver, webhookMiddleware as expressWebhook } from "../../pkg/express.d.ts";
import { webhookMiddleware as honoWebhook } from "../../pkg/hono.d.ts";
import { verifyNextRequest, withWebhook } from "../../pkg/next.d.ts";
import { webhookPlugin, type FastifyWebhookOptions } from "../../pkg/fastify.d.ts";
import { createClient } from "redis";
import { Redis } from "ioredis";
import { ReplayGuard, deliveryKey, type ReplayStore } from "../../pkg/index.js";
import { redisStore } from "../../pkg/redis.d.ts";
import { durableObjectStore, ReplayGuardObject, type DurableObjectNamespaceLike } from "../../pkg/durable-object.d.ts";

type Paid = { type: "invoice.paid"; data: { id: string } };
declare const secret: string;

// express: req.webhook is typed for the app, as users declare it (the pack test checks
// that it is unknown without this).
declare module "../../pkg/express.d.ts" {
  interface WebhookTypes {
    event: Paid;
  }
}
declare const req: Express.Request;
const paidType: "invoice.paid" | undefined = req.webhook?.type;

// express: node's (req, res, next) shape; rawBodySaver fits body-parser's verify.
const mw = expressWebhook(secret, { scheme: "stripe", limit: 1 << 20 });
mw satisfies (
  req: import("node:http").IncomingMessage,
  res: import("node:http").ServerResponse,
  next: () => void,
) => void;
const verify: (
  req: import("node:http").IncomingMessage,
  res: import("node:http").ServerResponse,
  buf: Buffer,
  encoding: string,
) => void = rawBodySaver;

// hono: c.get("webhook") is typed from the middleware.
const app = new Hono();
app.post("/hook", honoWebhook<Paid>(secret, { limit: 64 * 1024 }), (c) => {
  const event: Paid = c.get("webhook");
  return c.json({ id: event.data.id });
});
// @ts-expect-error: limit is a number of bytes
honoWebhook(secret, { limit: "1mb" });

// next: a route handler with the route context passed through.
export const POST = withWebhook<Paid, { params: Promise<{ slug: string }> }>(async (event, request, { params }) => {
  const { slug } = await params;
  return Response.json({ id: event.data.id, slug, url: request.url });
}, secret);
POST satisfies (request: Request, context: { params: Promise<{ slug: string }> }) => Promise<Response>;
export async function PUT(request: Request): Promise<Response> {
  const result = await verifyNextRequest<Paid>(request, secret, { toleranceSeconds: 60, limit: 1 << 16 });
  if (!result.ok) return result.response;
  return Response.json({ id: result.event.data.id });
}

// fastify: the plugin's options are checked; request.webhook is typed by the route's
// `Webhook`, else unknown.
const fastify = Fastify();
fastify.register(async (scope) => {
  await scope.register(webhookPlugin, { secret, scheme: "github", bodyLimit: 1000 });
  scope.post<{ Webhook: Paid }>("/hook", async (request) => {
    const type: string = request.webhook.type;
    return { type, id: request.webhook.data.id };
  });
  scope.post<{ Webhook: Paid; Querystring: { retry: string } }>("/retry", async (request) => ({
    id: request.webhook.data.id,
    retry: request.query.retry,
  }));
  scope.post("/untyped", async (request) => {
    // @ts-expect-error: unknown without the route's Webhook type
    const type: string = request.webhook.type;
    return { type, event: request.webhook };
  });
});
// @ts-expect-error: secret is required
fastify.register(webhookPlugin, {} satisfies Partial<FastifyWebhookOptions>);

// replay guards: the stores fit the real clients; the integrations take the guard.
const redisClient = createClient();
const ioredisClient = new Redis();
const guards: ReplayGuard[] = [
  new ReplayGuard({ store: redisStore(redisClient), ttlSeconds: 86400, prefix: "hooks:", onStoreError: "reject" }),
  new ReplayGuard({ store: redisStore(ioredisClient), timeoutMs: 500 }),
  new ReplayGuard({ maxEntries: 100 }),
];
declare const namespace: DurableObjectNamespaceLike;
const objectStore: ReplayStore = durableObjectStore(namespace, { shards: 8 });
export { ReplayGuardObject };
// @ts-expect-error: onStoreError is "reject" or "accept"
new ReplayGuard({ store: objectStore, onStoreError: "ignore" });
expressWebhook(secret, { replayGuard: guards[0], replayKey: (event) => event.data.id });
// @ts-expect-error: replayKey gets the event WebhookTypes declares, which has no `id`
expressWebhook(secret, { replayKey: (event) => event.id });
app.post("/dedup", honoWebhook<Paid>(secret, { replayGuard: guards[1] }), (c) => c.json(c.get("webhook")));
fastify.register(webhookPlugin, { secret, replayGuard: guards[2] });
export async function dedupNext(request: Request) {
  const result = await verifyNextRequest<Paid>(request, secret, { replayGuard: guards[0] });
  if (!result.ok) return result.response;
  await result.release?.();
  const claimed: boolean = await guards[0].claim(await deliveryKey(null as unknown as Webhook, "{}", {}));
  return Response.json({ id: result.event.data.id, claimed });
}

export type { Webhook, verify };
export { paidType };
