/**
 * Typed events: for each provider, the union of the events it sends (what `verify` returns
 * for `new Webhook<VectorEvent>(...)`), and {@link eventType} / {@link typedEvent}, which
 * name a delivery's event whatever the provider.
 *
 * Vector, Vector.co, Vercel, Shopify, Slack, the generic scheme and Standard Webhooks (and
 * Svix) are typed from the JSON Schemas of hookproof-sender's event catalog (catalog.d.ts,
 * generated). GitHub's and Stripe's come from their own packages, optional peer
 * dependencies of this one: `@octokit/openapi-webhooks-types` (GitHub's OpenAPI
 * description of its webhooks) and `stripe` (its `Stripe.Event`). Without them everything
 * still type-checks: a GitHub event is then {@link GitHubEventShape} and a Stripe event
 * {@link StripeEventShape}, both named by a plain `string`.
 */
// The peers are optional: an import that does not resolve is `any` (hence the ts-ignores),
// which `unknown` extends; their real types are not.
// @ts-ignore
import StripeTypes = require("stripe");
// @ts-ignore
import type { operations as OctokitWebhooks } from "@octokit/openapi-webhooks-types";
import type {
  GenericEventMap,
  ShopifyEventMap,
  SlackEventMap,
  StandardEventMap,
  SvixEventMap,
  VectorCoEventMap,
  VectorEventMap,
  VercelEventMap,
} from "./catalog.js";
import type { WebhookHeaders } from "./index.js";

export * from "./catalog.js";

declare const eventName: unique symbol;

/**
 * The event name `N` of a payload that does not carry it (GitHub's and Shopify's are in the
 * headers), and of every catalog event, for {@link EventType}. Types only: no such property
 * exists at run time.
 */
export interface EventNamed<N extends string> {
  readonly [eventName]?: N;
}

/** The union of a map's payloads (event name to payload), each named by its key. */
export type EventUnion<M> = { [N in keyof M & string]: M[N] & EventNamed<N> }[keyof M & string];

/** A Standard Webhooks event as hookproof-sender sends one: `{type, timestamp, data}`. */
export interface StandardEnvelope<T extends string = string, D = unknown> {
  type: T;
  /** RFC 3339. */
  timestamp: string;
  data: D;
}

/** Vector Pro's events (`vector`): `{event, occurred_at, data}`; narrow on `event`. */
export type VectorEvent = EventUnion<VectorEventMap>;
/** Vector.co's events (`vectorco`): `{event, timestamp, contact | company, segment}`; narrow on `event`. */
export type VectorCoEvent = EventUnion<VectorCoEventMap>;
/** Vercel's events: `{id, type, createdAt, payload, region}`; narrow on `type`. */
export type VercelEvent = EventUnion<VercelEventMap>;
/** The generic scheme's events: `{id, type, created_at, data}`; narrow on `type`. */
export type GenericEvent = EventUnion<GenericEventMap>;
/** Shopify's payloads (the resource itself); the topic is `X-Shopify-Topic`: see {@link typedEvent}. */
export type ShopifyEvent = EventUnion<ShopifyEventMap>;
/**
 * Slack's Events API requests: `url_verification`, or `event_callback` with the event in
 * `event` (narrow on `type`, then on `event.type`).
 */
export type SlackEvent = EventUnion<SlackEventMap>;
/** The catalog's events in the Standard Webhooks envelope; narrow on `type`. */
export type StandardEvent = EventUnion<StandardEventMap>;
/** As {@link StandardEvent}. */
export type SvixEvent = EventUnion<SvixEventMap>;

/** What a Stripe event carries, for apps without the `stripe` package's types. */
export interface StripeEventShape {
  id: string;
  object: "event";
  api_version: string | null;
  created: number;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  livemode: boolean;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key?: string | null } | null;
  type: string;
}

/** `Stripe.Event` when the `stripe` package's types are installed, else {@link StripeEventShape}. */
export type StripeEvent = unknown extends StripeTypes.Event ? StripeEventShape : StripeTypes.Event;
/** Each Stripe event type, and its event (`Stripe.InvoicePaidEvent` for `"invoice.paid"`, ...). */
export type StripeEventMap = unknown extends StripeTypes.Event
  ? { [type: string]: StripeEventShape }
  : { [T in StripeTypes.Event["type"]]: Extract<StripeTypes.Event, { type: T }> };

/** What a GitHub payload carries, for apps without `@octokit/openapi-webhooks-types`. */
export interface GitHubEventShape {
  action?: string;
  sender?: { login: string; id: number; [key: string]: unknown };
  repository?: { id: number; full_name: string; [key: string]: unknown };
  organization?: { login: string; id: number; [key: string]: unknown };
  installation?: { id: number; [key: string]: unknown };
  [key: string]: unknown;
}

type Kebab<S extends string> = S extends `${infer A}_${infer B}` ? `${A}-${Kebab<B>}` : S;
type Snake<S extends string> = S extends `${infer A}-${infer B}` ? `${A}_${Snake<B>}` : S;
// The operations are named `push`, `ping`, `pull-request/opened`, ...: the event name in
// kebab case, then its action.
type OctokitName<K> = K extends `${infer E}/${string}` ? Snake<E> : K extends string ? Snake<K> : never;
type OctokitBody<K> = K extends keyof OctokitWebhooks
  ? OctokitWebhooks[K] extends { requestBody: { content: { "application/json": infer B } } }
    ? B
    : never
  : never;
type OctokitEventMap = {
  [N in OctokitName<keyof OctokitWebhooks>]: OctokitBody<
    Extract<keyof OctokitWebhooks, Kebab<N> | `${Kebab<N>}/${string}`>
  >;
};

/**
 * Each GitHub event name (`X-GitHub-Event`), and its payload: every action's, for an event
 * with actions (narrow on `action`). From `@octokit/openapi-webhooks-types`; without it,
 * every name has a {@link GitHubEventShape}.
 */
export type GitHubEventMap = unknown extends OctokitWebhooks ? { [event: string]: GitHubEventShape } : OctokitEventMap;
/** GitHub's payloads; the event name is `X-GitHub-Event`: see {@link typedEvent}. */
export type GitHubEvent = EventUnion<GitHubEventMap>;

/**
 * The event name of an event of type `E`: the literal names of a provider's union
 * (`"vector.site.created" | ...`), `string` for a type that does not list them, and
 * `string | null` for `unknown`.
 */
export type EventType<E> = unknown extends E
  ? string | null
  : E extends unknown
    ? typeof eventName extends keyof E
      ? NonNullable<E[typeof eventName]>
      : E extends { type: infer T extends string }
        ? T
        : string
    : never;

/** {@link typedEvent}'s result: one member per event, so that narrowing `type` narrows `event`. */
export type TypedEvent<E> = unknown extends E
  ? { type: string | null; event: unknown }
  : E extends unknown
    ? { type: EventType<E>; event: E }
    : never;

/**
 * The name of a verified event, whatever the provider, so that one receiver can route
 * them all: GitHub's `X-GitHub-Event` and Shopify's `X-Shopify-Topic` headers; else in the
 * event: Slack's `event.type` in an `event_callback`, `type` (Stripe, Standard Webhooks,
 * Svix, Vercel, Slack, the generic scheme), `event` (Vector, Vector.co). Null when none is
 * there. Reads nothing else and checks nothing: call it on what `verify` returned.
 */
export function eventType<E = unknown>(headers: WebhookHeaders, event: E): EventType<E>;

/**
 * `{ type: eventType(headers, event), event }`, typed so that narrowing `type` narrows
 * `event`, also for the providers whose event name is in the headers (GitHub, Shopify):
 *
 * ```ts
 * const { type, event } = typedEvent(req.headers, wh.verify(body, req.headers));
 * if (type === "push") console.log(event.head_commit?.message);
 * ```
 */
export function typedEvent<E = unknown>(headers: WebhookHeaders, event: E): TypedEvent<E>;
