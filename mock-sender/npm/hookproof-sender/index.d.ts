// Types of the hookproof-sender package: startSender() runs the native sender for a test,
// and its Sender client has a method per REST route: webhooks, deliveries, inboxes (GET
// /openapi.json has the details). JSON shapes are the API's own, snake_case as it sends them.

/**
 * Signature profiles: what the body, headers and signature look like. vectorco: Vector.co's
 * events, signed with the generic scheme (Vector.co documents no signature).
 */
export type Profile =
  "vector" | "standard" | "svix" | "stripe" | "github" | "vercel" | "shopify" | "slack" | "generic" | "vectorco";
export type DeliveryStatus = "pending" | "success" | "failed";
/** A wait before an attempt: seconds, or a duration string ("42s", "2.5m"). */
export type Wait = number | string;

export interface Chaos {
  /** Probability (0-1) that each attempt is sent twice (same delivery id). */
  duplicate?: number;
  /** Probability of an extra copy signed with a wrong key (must be rejected). */
  forge_signature?: number;
  /** Probability of an extra correctly signed copy 10 min old (timestamped profiles; must be rejected). */
  stale_timestamp?: number;
  /** [min, max] ms every attempt waits (real time, not scaled). */
  delay_ms?: [number, number] | null;
  /** Each attempt draws its own delay, so deliveries overtake each other. */
  reorder?: boolean;
  /** Seeds the webhook's draws, so runs repeat. */
  seed?: number | null;
}

/** The body of createWebhook (POST /v1/webhooks). */
export interface CreateWebhook {
  url: string;
  /** Event names, `prefix.*` or `*`. */
  events: string[];
  /** Vector.co segment ids: an event naming a segment (`segment.id`) comes only for these. Default: every segment. */
  segments?: string[];
  /** A fixed id (created or replaced); generated when omitted. */
  id?: string;
  /** "http" (default) or "slack" (a Block Kit message to an incoming webhook). */
  kind?: "http" | "slack";
  enabled?: boolean;
  /** Default "vector". */
  profile?: Profile;
  /** whsec_... (or a whsk_ Ed25519 key for standard/svix); generated when omitted. */
  secret?: string;
  /** "ed25519": generate a whsk_ key (standard, svix) instead of a whsec_ secret. */
  signing?: "hmac" | "ed25519";
  /** Waits before attempts 1, 2, ...; default: the profile's schedule. */
  retry_schedule?: Wait[];
  description?: string;
  chaos?: Chaos;
}

/** The body of updateWebhook (PUT /v1/webhooks/{id}): a partial update. */
export interface UpdateWebhook {
  enabled?: boolean;
  url?: string;
  events?: string[];
  /** Replaces the segments; null or []: every segment. */
  segments?: string[] | null;
  /** Replaces the retry schedule; null: back to the profile's. */
  retry_schedule?: Wait[] | null;
  description?: string;
  /** null turns chaos off. */
  chaos?: Chaos | null;
}

export interface Webhook {
  id: string;
  kind: "http" | "slack";
  url: string;
  events: string[];
  /** Vector.co segment ids it takes events of; empty: every segment. */
  segments: string[];
  enabled: boolean;
  profile: Profile;
  /** Seconds before attempts 1, 2, ... (unscaled). */
  retry_schedule: number[];
  description: string | null;
  chaos: Chaos | null;
  /** The whpk_ public key of a whsk_ secret (the receiver verifies with it); null otherwise. */
  public_key: string | null;
  /** While a 429/502/503/504 pauses the endpoint: when the pause ends. */
  throttled_until: string | null;
  created_at: string;
  updated_at: string;
}

/** What create and rotate-secret return: the only answers with the secret. */
export interface WebhookWithSecret extends Webhook {
  secret: string;
}

export interface Delivery {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  max_attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
  /** The exact bytes sent: only from getDelivery / waitForDelivery. */
  body?: string;
}

/** One attempt (a log entry). */
export interface Attempt {
  id: string;
  delivery_id: string;
  webhook_id: string;
  event_type: string;
  attempt: number;
  status_code: number | null;
  response_time_ms: number;
  delivered_at: string;
  error: string | null;
  /** The start of the receiver's answer (4 KiB). */
  response_body: string | null;
  outcome:
    | "success"
    | "http_error"
    | "timeout"
    | "connection_error"
    | "error"
    | "rejected"
    | "accepted_forgery"
    | "accepted_stale";
  url: string;
  /** Every header the sender set, in order (signatures included, secrets never). */
  request_headers: [string, string][];
  /** The answer's headers in order, names lower-case: the first 64 that fit in 8 KiB. */
  response_headers: [string, string][];
  next_attempt_at: string | null;
  /** Chaos requests only: which kind, what the receiver should answer, whether it did wrong. */
  chaos: "duplicate" | "forged" | "stale" | null;
  expect: "accept" | "reject" | null;
  receiver_accepted_bad: boolean | null;
}

export interface EventAccepted {
  id: string;
  type: string;
  /** One per webhook whose events match. */
  deliveries: Delivery[];
}

/**
 * Edits of the catalog's example of an event: a path to a value, as `trigger --override`
 * takes them. A path is dotted keys and `[n]` indexes relative to the body the webhook's
 * profile sends (`"data.object.amount_paid"` for stripe, `"data.amount_paid"` in the
 * standard envelope: an event type's `payload`); the example keeps its key order. Every
 * matching webhook's example is checked first: a path one lacks is a SenderError
 * `invalid_field` whose `field` is `overrides.<path>`, and nothing is sent.
 */
export type Overrides = Record<string, unknown>;

export interface SendEvent {
  type: string;
  /** Sent as given (inside the profile's envelope where it has one); default: the catalog's example of the event for each webhook's profile. */
  data?: unknown;
  /** Edit the catalog's example instead (not with `data`: an `invalid_field` error). */
  overrides?: Overrides;
  /** The event id (evt_... generated when omitted). */
  id?: string;
  /** Only these webhooks (still only those whose events match). */
  webhook_ids?: string[];
}

/** The body of testWebhook (POST /v1/webhooks/{id}/test). */
export interface TestEvent {
  /** Default: the profile's test event (stripe: invoice.paid, github: ping, ...). */
  type?: string;
  /** Default: the catalog's example of the event for the profile. */
  data?: unknown;
  /** Edit the catalog's example, as for sendEvent (not with `data`). */
  overrides?: Overrides;
}

/** One event of the sender's catalog (GET /v1/event-types). */
export interface EventType {
  profile: Profile;
  event_type: string;
  description: string;
  /** Headers the provider sends besides the signature; `{event}`, `{event_id}`, `{created_at}`, `{hook_number}` and `{version}` are filled per delivery. */
  headers: Record<string, string>;
  /** The JSON Schema (draft-07) of `payload`. */
  schema: Record<string, unknown>;
  /** The example body, as the provider sends it: what `overrides` paths start from. */
  payload: unknown;
  /** The part of `payload` that sendEvent's `data` gives (`data.object` for stripe, the whole body for github). */
  data: unknown;
}

export interface DeliveryFilters {
  webhookId?: string;
  status?: DeliveryStatus;
  eventType?: string;
  /** @deprecated the former name of eventType. */
  event?: string;
  /** 1-1000 (default 1000). */
  limit?: number;
}

export interface LogFilters {
  webhookId?: string;
  deliveryId?: string;
  status?: "success" | "failed";
  limit?: number;
}

export interface WaitOptions {
  /** Fail (code "unexpected_status") if the delivery ends otherwise. "succeeded" is "success". */
  status?: "success" | "succeeded" | "failed";
  /** Default 10000; past it, a SenderError with code "timeout" (and `delivery` as it was). */
  timeoutMs?: number;
}

export interface NextDeliveryOptions {
  /** A delivery id of the webhook: the next one made after it. Default: after the newest when called. */
  after?: string;
  /** Wait until a new delivery has this status (e.g. "success": made and delivered). */
  status?: DeliveryStatus | "succeeded";
  eventType?: string;
  /** @deprecated the former name of eventType. */
  event?: string;
  /** Default 10000; past it, a SenderError with code "timeout". */
  timeoutMs?: number;
}

/** The schemes an inbox verifies and checks captures against. */
export type Scheme = "standard" | "svix" | "stripe" | "vector" | "github" | "slack" | "shopify" | "vercel" | "generic";
/** The rules a sender of a scheme must keep, checked on each capture. */
export type ConformanceRule =
  | "headers_present"
  | "signature_format"
  | "timestamp_seconds"
  | "timestamp_fresh"
  | "id_unique"
  | "content_type_json"
  | "body_json";

/**
 * The body of putInbox (PUT /v1/inboxes/{name}): the inbox's settings, replaced whole (a
 * field left out takes its default), but its secrets, kept when none is given and the
 * scheme stays.
 */
export interface InboxSettings {
  /** Verify captures with this scheme (and check them against its rules). */
  scheme?: Scheme;
  /** The secret the scheme signs with (needs `scheme`). */
  secret?: string;
  /** Several secrets (a rotation: any may match); not with `secret`. */
  secrets?: string[];
  /** How old a timestamp may be, in seconds. Default 300. */
  tolerance_seconds?: number;
  /** An http(s) URL every capture is forwarded to (not a loopback /in/ URL). */
  forward_to?: string;
  /** What /in/{name} answers. Default 200, empty. */
  respond_with?: { status?: number; body?: string };
}

export interface InboxRespond {
  status: number;
  body: string;
}

/** An inbox in listInboxes: its settings without secrets, and its captures. */
export interface InboxListed {
  name: string;
  /** Whether putInbox configured it (else it only holds captures). */
  configured: boolean;
  scheme: Scheme | null;
  /** How many secrets it has (never shown). */
  secrets: number;
  tolerance_seconds: number;
  /** Credentials masked. */
  forward_to: string | null;
  respond_with: InboxRespond;
  captures: number;
  /** When the newest capture came; null for none. */
  last_capture_at: string | null;
}

/** An inbox (putInbox, getInbox): its settings without secrets, and the summary of its newest 1,000 captures. */
export interface Inbox {
  name: string;
  scheme: Scheme | null;
  /** How many secrets it has (never shown). */
  secrets: number;
  tolerance_seconds: number;
  /** Credentials masked. */
  forward_to: string | null;
  respond_with: InboxRespond;
  /** Every capture it holds. */
  captures: number;
  /** Captures that verified, and that did not (with a scheme and secret). */
  verified: number;
  unverified: number;
  /** Per rule: captures that passed, failed, skipped it. */
  conformance: { rule: ConformanceRule; pass: number; fail: number; skip: number }[];
  /** At least one capture, and no rule failed by any. */
  compliant: boolean;
}

/** A capture's verification (with the inbox's scheme and secret): the doctor's findings when it fails. */
export interface Verification {
  verified: boolean;
  /** The verifier's error code when it failed (e.g. "signature_mismatch"). */
  code: string | null;
  message: string | null;
  findings: { kind: string; message: string }[];
}

export interface ConformanceCheck {
  rule: ConformanceRule;
  status: "pass" | "fail" | "skip";
  detail: string;
}

/** A forward or a replay of a capture, with the answer. */
export interface Forwarded {
  /** Credentials masked. */
  url: string;
  sent_at: string;
  /** Signed afresh with the inbox's secret. */
  resigned: boolean;
  /** The headers sent, credentials masked. */
  headers: [string, string][];
  status_code: number | null;
  error: string | null;
  response_time_ms: number;
  /** The first 4 KiB of the answer. */
  response_body: string | null;
}

/** A request captured at /in/{name}, as received. */
export interface Capture {
  id: string;
  inbox: string;
  method: string;
  /** /in/{name} and anything below it. */
  path: string;
  /** As sent, without "?"; credentials masked. */
  query: string | null;
  /** In the order received, repeats kept, names lower-case; credentials masked. */
  headers: [string, string][];
  /** The exact body. */
  body_base64: string;
  /** The body as text, when it is UTF-8. */
  body: string | null;
  received_at: string;
  remote_addr: string | null;
  /** The status answered. */
  status: number;
  /** With the inbox's scheme and secret; else null. */
  verification: Verification | null;
  /** The rules of `scheme`; empty when none is known. */
  conformance: ConformanceCheck[];
  /** The scheme checked: the inbox's, or the one the headers name. */
  scheme: Scheme | null;
  /** The delivery id it carries under that scheme. */
  delivery_id: string | null;
  /** The forward to forward_to, once answered. */
  forward: Forwarded | null;
  /** Every replay, oldest first. */
  replays: Forwarded[];
}

export interface NextCaptureOptions {
  /**
   * A capture id of the inbox: the next one after it; `""`: any capture. Default: after the
   * newest when the wait's first request reaches the sender (any, when it has none), so a
   * capture made before then is not the next one: for an inbox that may already hold
   * captures, take the newest's id before your app sends, and pass it here.
   */
  after?: string;
  /** Default 10000; past it, a SenderError with code "timeout". */
  timeoutMs?: number;
}

/** A failure: the API's `{error: {code, message, field}}`, or the client's own (codes below). */
export class SenderError extends Error {
  name: "SenderError";
  /**
   * The API's code (`not_found`, `invalid_field`, `unauthorized`, `webhook_disabled`, ...), or
   * the client's: `unreachable`, `start_failed`, `timeout` (a wait's), `unexpected_status`, `invalid_option`.
   */
  code: string;
  /** The HTTP status, for the API's errors. */
  status?: number;
  /** The request field at fault, when the API names one. */
  field: string | null;
  method?: string;
  path?: string;
  /** waitForDelivery's timeout and unexpected_status: the delivery as it was. */
  delivery?: Delivery;
}

export class Sender {
  /** The sender's base URL, e.g. http://127.0.0.1:41234 (the dashboard is at /). */
  readonly url: string;
  /** The sender's process (startSender), or null (connect). */
  readonly process: import("node:child_process").ChildProcess | null;

  /** One API call: the answer's `data`. */
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  health(): Promise<{ ok: boolean; version: string }>;
  openapi(): Promise<Record<string, unknown>>;

  listWebhooks(): Promise<Webhook[]>;
  createWebhook(webhook: CreateWebhook): Promise<WebhookWithSecret>;
  getWebhook(id: string): Promise<Webhook>;
  updateWebhook(id: string, changes: UpdateWebhook): Promise<Webhook>;
  deleteWebhook(id: string): Promise<void>;
  /** A new secret (returned once); the old one keeps signing for the grace period (default 86400 s). */
  rotateSecret(
    id: string,
    options?: { secret?: string; signing?: "hmac" | "ed25519"; grace_period_secs?: number },
  ): Promise<WebhookWithSecret>;
  /** A test event to this webhook, whatever its events. */
  testWebhook(id: string, event?: TestEvent): Promise<Delivery>;
  webhookDeliveries(id: string, filters?: Omit<DeliveryFilters, "webhookId">): Promise<Delivery[]>;
  webhookLogs(id: string, filters?: Omit<LogFilters, "webhookId">): Promise<Attempt[]>;
  webhookStats(id: string): Promise<{ pending: number; success: number; failed: number }>;

  sendEvent(event: SendEvent): Promise<EventAccepted>;
  /** The event catalog (every profile's, or one's), each event with its example and schema. */
  eventTypes(options?: { profile?: Profile }): Promise<EventType[]>;
  listDeliveries(filters?: DeliveryFilters): Promise<Delivery[]>;
  /** With waitMs, the server answers when the delivery is final or the wait (at most 60 s) ends. */
  getDelivery(id: string, options?: { waitMs?: number }): Promise<Delivery>;
  /** Oldest first. */
  deliveryAttempts(id: string): Promise<Attempt[]>;
  /** Attempt now: cuts a pending wait short, or adds one attempt to a finished delivery. */
  retryDelivery(id: string): Promise<Delivery>;
  /** Every attempt, newest first. */
  logs(filters?: LogFilters): Promise<Attempt[]>;

  /** Resolves when the delivery is final (the server waits; no polling). */
  waitForDelivery(id: string, options?: WaitOptions): Promise<Delivery>;
  /** Resolves with the webhook's next delivery (the server waits; no polling). */
  waitForNextDelivery(webhookId: string, options?: NextDeliveryOptions): Promise<Delivery>;

  /** The URL to point a webhook's sender at: `${url}/in/${name}`. */
  inboxUrl(name: string): string;
  listInboxes(): Promise<InboxListed[]>;
  /** Creates (or replaces the settings of) an inbox. */
  putInbox(name: string, settings?: InboxSettings): Promise<Inbox>;
  /** Any name: one never configured (or deleted) shows the defaults and its captures, if any. */
  getInbox(name: string): Promise<Inbox>;
  /** Its settings and captures (a SenderError `not_found` when it has neither). */
  deleteInbox(name: string): Promise<void>;
  /** Newest first; `limit` 1-1000, default 100. */
  inboxCaptures(name: string, options?: { limit?: number }): Promise<Capture[]>;
  getCapture(name: string, id: string): Promise<Capture>;
  /** Sends the capture again to `url` (default the inbox's forward_to), as is or, with `resign`, signed afresh with the inbox's secret; the answer. */
  replayCapture(name: string, id: string, options?: { url?: string; resign?: boolean }): Promise<Forwarded>;
  /** Resolves with the inbox's next capture (the server waits; no polling). */
  waitForCapture(name: string, options?: NextCaptureOptions): Promise<Capture>;

  /** Stops a sender started by startSender (SIGTERM, SIGKILL after 5 s); a no-op for connect(). */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface StartOptions {
  /** Multiplies every retry wait and throttle pause: 0.001 turns 5 min into 300 ms. Default 1. */
  timeScale?: number;
  /** Require `Authorization: Bearer <token>` (the client sends it). Passed in the environment, not argv. */
  token?: string;
  /** A SQLite file; default: in memory. */
  db?: string;
  /** Seeds the chaos draws of webhooks without their own seed. */
  chaosSeed?: number | bigint;
  /** An attempt succeeds on a 2xx within this long: ms, or a duration string ("500ms", "15s"). Default 30 s. */
  attemptTimeout?: number | string;
  /** Each attempt gets its profile's provider's timeout instead. */
  providerTimeouts?: boolean;
  /** Webhooks to create at start: a --config file's path, or its content ({webhooks: [...]} or an array). */
  config?: string | { webhooks: (CreateWebhook & { id?: string })[] } | (CreateWebhook & { id?: string })[];
  /** Requests on the wire at once to one endpoint (default 8). */
  maxInFlight?: number;
  /** Accept http:// URLs to hosts other than loopback. */
  allowHttp?: boolean;
  /** Trust the PEM certificate(s) in this file (self-signed receivers). */
  caCert?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** The executable; default: $HOOKPROOF_SENDER_BIN, the platform package's, or PATH's. */
  binary?: string;
  /** More `serve` arguments. */
  args?: string[];
  /** More environment for the sender (RUST_LOG, ...). */
  env?: Record<string, string>;
  /** Pass the sender's log (stderr, RUST_LOG=info) through to this process's stderr. Default false. */
  log?: boolean;
  /** Default 15000. */
  startTimeoutMs?: number;
}

/** Starts `hookproof-sender serve` (in memory, a free loopback port) and resolves once it listens. */
export function startSender(options?: StartOptions): Promise<Sender>;
/** A client for a sender that is already running. */
export function connect(url: string, options?: { token?: string }): Sender;
/** The executable startSender and the `hookproof-sender` bin run; throws with how to install one. */
export function findBinary(explicit?: string): string;
/** The longest wait the server takes in one request (ms); longer waits ask again. */
export const MAX_SERVER_WAIT_MS: number;
