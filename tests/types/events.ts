// Type test (tsc -p tests/types, from tests/node/events.test.mjs): the package's event
// types as an app with the optional peers installed (stripe, @octokit/openapi-webhooks-types)
// sees them, in the package and its integrations. Narrowing on the event name types the
// payload; every `@ts-expect-error` line is an access the types must refuse (tsc fails if
// it is accepted).
import type Stripe from "stripe";
import {
  Webhook,
  deliveryKey,
  eventType,
  typedEvent,
  type EventType,
  type GenericEvent,
  type GitHubEvent,
  type ShopifyEvent,
  type ShopifyEventMap,
  type SlackEvent,
  type StandardEvent,
  type StripeEvent,
  type VectorCoEvent,
  type VectorEvent,
  type VectorEventMap,
  type VercelEvent,
} from "hookproof";
import { constructEvent } from "hookproof/stripe";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const same = <A, B>(ok: Equal<A, B>): Equal<A, B> => ok;

declare const headers: Record<string, string>;
declare const body: string;

// Webhook<E>.verify returns E; without E, unknown; a call's own T still wins.
const vector = new Webhook<VectorEvent>("whsec_x", { scheme: "vector" });
same<ReturnType<typeof vector.verify<VectorEvent>>, VectorEvent>(true);
const v = vector.verify(body, headers);
same<typeof v, VectorEvent>(true);
same<ReturnType<Webhook["verify"]>, unknown>(true);
// A typed Webhook is still a Webhook for the rest of the API.
export const key: Promise<string> = deliveryKey(vector, body, headers);
same<typeof vector.verify<{ n: 1 }> extends (...a: never[]) => infer R ? R : never, { n: 1 }>(true);

// Vector: narrow on `event`.
if (v.event === "vector.deployment.failed") {
  const code: string = v.data.error.code;
  console.log(code);
}
if (v.event === "vector.site.created") {
  // @ts-expect-error: only a failed deployment has an error
  console.log(v.data.error);
}
same<EventType<VectorEvent>, keyof import("hookproof").VectorEventMap>(true);
const vectorName = eventType(headers, v);
// @ts-expect-error: a Vector event's name is one of Vector's
const notVector: "push" = vectorName;

// Stripe: Stripe.Event from the `stripe` package, narrowed on `type`.
const s = new Webhook<StripeEvent>("whsec_x", { scheme: "stripe" }).verify(body, headers);
same<StripeEvent, Stripe.Event>(true);
switch (s.type) {
  case "invoice.paid": {
    const invoice: Stripe.Invoice = s.data.object;
    console.log(invoice.amount_paid);
    break;
  }
  case "customer.created":
    // @ts-expect-error: a customer has no amount_paid
    console.log(s.data.object.amount_paid);
    break;
}
same<ReturnType<typeof constructEvent>, Stripe.Event>(true);
// @ts-expect-error: not a Stripe event type
if (s.type === "invoice.nope") console.log(s);

// GitHub: the name is X-GitHub-Event; typedEvent pairs it with the payload.
const g = new Webhook<GitHubEvent>("secret", { scheme: "github" }).verify(body, headers);
const { type: ghType, event: gh } = typedEvent(headers, g);
if (ghType === "push") {
  const message: string | undefined = gh.head_commit?.message;
  console.log(message, gh.commits.length);
} else if (ghType === "star") {
  const action: "created" | "deleted" = gh.action;
  // @ts-expect-error: a star has no commits
  console.log(action, gh.commits);
} else if (ghType === "pull_request" && gh.action === "opened") {
  const title: string = gh.pull_request.title;
  console.log(title);
}
// @ts-expect-error: not a GitHub event name
if (ghType === "invoice.paid") console.log(gh);
const ghName: string = eventType(headers, g);
console.log(ghName);

// Shopify: the topic is X-Shopify-Topic.
const shop = typedEvent(headers, new Webhook<ShopifyEvent>("secret", { scheme: "shopify" }).verify(body, headers));
if (shop.type === "orders/create") {
  const total: string = shop.event.current_total_price;
  console.log(total);
} else if (shop.type === "app/uninstalled") {
  // @ts-expect-error: an uninstalled app's payload is the shop, without line items
  console.log(shop.event.line_items);
}
// @ts-expect-error: Shopify topics are written with a slash
if (shop.type === "orders.create") console.log(shop);

// Vercel: narrow on `type`.
const vc = new Webhook<VercelEvent>("secret", { scheme: "vercel" }).verify(body, headers);
if (vc.type === "deployment.created") {
  const url: string = vc.payload.deployment.url;
  console.log(url);
} else if (vc.type === "project.renamed") {
  // @ts-expect-error: a project event has no deployment
  console.log(vc.payload.deployment);
}

// Vector.co, the generic scheme, Slack, Standard Webhooks.
declare const co: VectorCoEvent;
if (co.event === "company.visited") {
  console.log(co.company.domain, co.segment.id);
  // @ts-expect-error: a company event has no contact
  console.log(co.contact);
}
declare const gen: GenericEvent;
if (gen.type === "payment.failed") console.log(gen.data.failure_code);
declare const slack: SlackEvent;
if (slack.type === "url_verification") console.log(slack.challenge);
else if (slack.event.type === "app_mention") console.log(slack.event.text);
same<EventType<SlackEvent>, "app_mention" | "message" | "url_verification">(true);
// A field the provider may send as null has its type, or null (not `unknown`).
if (slack.type === "event_callback") {
  same<typeof slack.context_enterprise_id, string | null>(true);
  same<(typeof slack.authorizations)[number]["enterprise_id"], string | null>(true);
}
same<VectorEventMap["vector.deployment.started"]["data"]["duration_ms"], number | null>(true);
same<ShopifyEventMap["products/update"]["image"], ShopifyEventMap["products/update"]["images"][number] | null>(true);
declare const std: StandardEvent;
if (std.type === "invoice.paid") {
  const invoice: Stripe.Invoice = std.data;
  console.log(invoice.id);
} else if (std.type === "user.created") {
  console.log(std.data.email);
  // @ts-expect-error: a user has no amount
  console.log(std.data.amount);
}

// One receiver for every provider: eventType of the union is the union of the names.
declare const any: VectorEvent | VercelEvent | GitHubEvent;
const anyName: string = eventType(headers, any);
const unknownName: string | null = eventType(headers, JSON.parse(body) as unknown);
console.log(anyName, unknownName);

// The integrations hand the typed event over.
import { Hono } from "hono";
import Fastify from "fastify";
import { webhookMiddleware as honoWebhook } from "hookproof/hono";
import { verifyNextRequest, withWebhook } from "hookproof/next";
import { webhookPlugin } from "hookproof/fastify";
import { webhookMiddleware as expressWebhook, type ExpressWebhookOptions } from "hookproof/express";

declare module "hookproof/express" {
  interface WebhookTypes {
    event: StripeEvent;
  }
}
declare const req: Express.Request;
if (req.webhook?.type === "charge.refunded") console.log(req.webhook.data.object.amount_refunded);
expressWebhook("whsec_x", { scheme: "stripe" });
// replayKey gets the event WebhookTypes declares, as req.webhook does (untyped/ has none).
expressWebhook("whsec_x", { scheme: "stripe", replayKey: (e) => e.id });
same<Parameters<NonNullable<ExpressWebhookOptions["replayKey"]>>[0], StripeEvent>(true);
// @ts-expect-error: replayKey gets a Stripe event, which has no `event`
expressWebhook("whsec_x", { replayKey: (e) => e.event });

new Hono().post(
  "/vector",
  honoWebhook<VectorEvent>("whsec_x", { scheme: "vector", replayKey: (e) => `${e.event}:${e.occurred_at}` }),
  (c) => {
    const e = c.get("webhook");
    if (e.event === "vector.domain.verified") return c.json({ hostname: e.data.hostname });
    // @ts-expect-error: a Vector event has no `type`
    return c.json({ type: e.type });
  },
);
// @ts-expect-error: replayKey gets the route's event, which has no `id`
honoWebhook<VectorEvent>("whsec_x", { replayKey: (e) => e.id });

export const POST = withWebhook<VercelEvent>(
  async (event) => Response.json({ id: event.id, type: event.type }),
  "secret",
  { scheme: "vercel", replayKey: (event) => event.id },
);
export async function PUT(request: Request): Promise<Response> {
  const result = await verifyNextRequest<ShopifyEvent>(request, "secret", { scheme: "shopify" });
  if (!result.ok) return result.response;
  const { type, event } = typedEvent(request.headers, result.event);
  if (type === "customers/create") return Response.json({ email: event.email });
  return Response.json({ type });
}

const app = Fastify();
app.register(async (scope) => {
  await scope.register(webhookPlugin, { secret: "secret", scheme: "github" });
  scope.post<{ Webhook: GitHubEvent }>("/github", async (request) => {
    const { type, event } = typedEvent(request.headers, request.webhook);
    if (type === "release") return { tag: event.release.tag_name };
    return { type };
  });
});
