/**
 * hookproof: verify and sign webhooks synchronously, in every JS runtime.
 * The signature rules are compiled from Rust to WebAssembly; this package has no
 * dependencies. Should a call ever fail inside a WebAssembly module (a trap: a bug, or its
 * memory exhausted), that call throws an `Error` (not a WebhookVerificationError) and the
 * next call runs on a new instance of the module; every Webhook keeps working.
 */

/** A signature scheme: which headers, which signed bytes, which MAC and encoding. */
export type Scheme =
  | "standard" // webhook-id / webhook-timestamp / webhook-signature "v1,<base64>"; secret "whsec_<base64>"
  //             (or "v1a,<base64>" Ed25519 signatures: key "whpk_<base64>" to verify, "whsk_<base64>" to sign)
  | "svix" //     the same with svix- header names (or webhook- ones, read as the svix library does)
  | "stripe" //   Stripe-Signature "t=<unix>,v1=<hex>"; signs "{t}.{body}"; secret used as given
  | "vector" //   X-Vector-Signature, as stripe
  | "github" //   X-Hub-Signature-256 "sha256=<hex>" of the body
  | "vercel" //   x-vercel-signature: hex HMAC-SHA1 of the body
  | "slack" //    X-Slack-Signature "v0=<hex>" of "v0:{ts}:{body}", X-Slack-Request-Timestamp
  | "shopify" //  X-Shopify-Hmac-Sha256: base64 HMAC-SHA256 of the body
  | "generic"; // X-Webhook-Signature: hex HMAC-SHA256 of the body

/** The `code` of a {@link WebhookVerificationError}. */
export type WebhookErrorCode =
  /** A header the scheme needs is absent. */
  | "missing_header"
  /** A header is present but not in the scheme's format. */
  | "invalid_header"
  /** The timestamp header is not whole Unix seconds. */
  | "invalid_timestamp"
  /** The timestamp is older than the tolerance. */
  | "timestamp_too_old"
  /** The timestamp is further in the future than the tolerance. */
  | "timestamp_too_new"
  /** No signature in the header matches the body and any secret. */
  | "no_matching_signature"
  /**
   * The secret is empty, or not `whsec_<base64>` (nor a `whpk_` / `whsk_` Ed25519 key) for
   * standard/svix; or key bytes over 2 GiB - 1 byte (more than WebAssembly memory holds);
   * or `sign` was given a `whpk_` public key, which only verifies.
   */
  | "invalid_secret"
  /** `verify` only: the signature is valid but the body is not JSON. */
  | "invalid_payload"
  /** The body is not a string or bytes (for example an already parsed object). */
  | "invalid_body_type"
  /**
   * The body is over the `limit` of {@link verifyRequest} or of an integration
   * (hookproof/express, /hono, /next), or does not fit in the WebAssembly memory (2 GiB
   * - 1 byte at most in one buffer, whatever the runtime allows; nothing is changed).
   */
  | "body_too_large"
  /**
   * An option has the wrong type or value (unknown scheme, a tolerance out of range, a
   * `now` clock that read NaN, ...).
   */
  | "invalid_option"
  /**
   * {@link ReplayGuard}: its store failed or did not answer within `timeoutMs`, so whether
   * the delivery is a duplicate is unknown (the integrations answer 503: the provider
   * retries). Only with `onStoreError: "reject"`, the default.
   */
  | "replay_store_unavailable";

/**
 * Thrown for every failure. `message` names the header at fault and never contains a
 * secret or an expected signature.
 */
export class WebhookVerificationError extends Error {
  readonly name: "WebhookVerificationError";
  readonly code: WebhookErrorCode;
  constructor(code: WebhookErrorCode, message: string);
}

/** The raw body exactly as received. Never a parsed object. */
export type WebhookBody = string | Uint8Array | ArrayBuffer | ArrayBufferView;

/**
 * A secret string as the provider shows it, or raw key bytes (used as the HMAC key). For
 * standard and svix also a Standard Webhooks Ed25519 key, for asymmetric `v1a` signatures:
 * `whpk_<base64 of 32 bytes>`, a public key, verifies them (and cannot sign);
 * `whsk_<base64 of the 32-byte seed, or of the seed and public key>` signs and verifies.
 * A Webhook with such a key runs on the package's second wasm module (as `sign` and
 * `diagnose` do), loaded on first use.
 */
export type WebhookSecret = string | Uint8Array | ArrayBuffer | ArrayBufferView;

/**
 * Request headers: a Fetch `Headers`, a `Map`, Node's `IncomingHttpHeaders`, or a plain
 * object. Names are matched without regard to case; array values are joined with ", ".
 */
export type WebhookHeaders =
  | { get(name: string): string | null }
  | Map<string, string | string[] | undefined>
  | Record<string, string | string[] | number | undefined>;

export interface WebhookOptions {
  /** The signature scheme. Default `"standard"`. */
  scheme?: Scheme;
  /**
   * How far (seconds) a signed timestamp may be from now, in either direction, for
   * timestamped schemes (standard, svix, stripe, vector, slack). Default 300. From 0 to
   * `Number.MAX_SAFE_INTEGER` (fractions are rounded down); anything else (`Infinity`,
   * `1e300`, a negative number, NaN) is `invalid_option`.
   */
  toleranceSeconds?: number;
  /**
   * The clock: milliseconds since the epoch (like `Date.now`) or a Date. For tests. A
   * reading that is not a finite number or a valid Date (NaN, an invalid Date) is
   * `invalid_option` from the call that reads it, never taken as 1970.
   */
  now?: () => number | Date;
}

export interface VerifyRequestOptions extends WebhookOptions {
  /**
   * Largest body read, in bytes. Default 1 MiB (1048576), as hookproof/express's. A
   * `Content-Length` over it is refused before anything is read; otherwise the body stream
   * is read and cancelled as soon as it passes the limit. Either way the error is
   * `body_too_large`. Anything but a number >= 0 is `invalid_option`.
   */
  limit?: number;
}

export interface SignOptions {
  /** The delivery id (standard, svix, vector, github send it). Default: a random `msg_...`. */
  id?: string;
  /** The timestamp, Unix seconds or a Date. Default: now. */
  timestamp?: number | Date;
}

/**
 * Verifies one provider's deliveries. `E` types what {@link Webhook.verify} returns:
 * `new Webhook<VectorEvent>(secret, { scheme: "vector" })` (see events.d.ts for every
 * provider's union); by default `unknown`.
 */
export class Webhook<E = unknown> {
  /**
   * @param secret one secret, or several during a rotation (any of them may match; `sign`
   *   emits one signature per secret for standard, svix, stripe and vector, and one with the
   *   first secret for github, vercel, slack, shopify and generic, whose providers send one).
   *   A rotation may mix `whsec_` secrets and Ed25519 keys: `v1` entries are checked with
   *   the first, `v1a` entries with the second.
   * @throws WebhookVerificationError `invalid_secret` or `invalid_option`.
   */
  constructor(secret: WebhookSecret | WebhookSecret[], options?: WebhookOptions);
  /** The scheme's name. */
  readonly scheme: Scheme;
  /**
   * Checks the signature (first) and then the timestamp; returns the body parsed as JSON.
   * `headers` may also be the signature header's value alone, as stripe-node takes it
   * (`wh.verify(body, req.headers["stripe-signature"])`), for the schemes that read no
   * other header (stripe, vector, github, vercel, shopify, generic); for the others the error
   * names the headers still needed. The result is typed `E`, the class's type parameter
   * (`T` types one call). Only the signature is checked, not the shape: the type says what
   * the provider sends.
   * @throws WebhookVerificationError
   */
  verify<T = E>(body: WebhookBody, headers: WebhookHeaders | string): T;
  /** The same checks as `verify`, without parsing: for bodies of any bytes. */
  verifySignature(body: WebhookBody, headers: WebhookHeaders | string): void;
  /**
   * The delivery id in this scheme's own id header, or null: standard `webhook-id`, svix
   * `svix-id` (or `webhook-id`), vector `X-Vector-Delivery`, github `X-GitHub-Delivery`,
   * shopify `X-Shopify-Webhook-Id`; stripe, vercel, slack and generic send none (use the
   * event's own id). Only standard's and svix's ids are signed: the others identify the
   * provider's redeliveries, but a replayer can change them.
   */
  deliveryId(headers: WebhookHeaders): string | null;
  /**
   * The signature doctor: never throws (unless the `now` option's clock does). Verifies,
   * and when that fails, checks which known mistake would have matched and says so in
   * plain words with the fix. Reports never contain the secret or an expected signature.
   * Its work is bounded: its checks for a signature that does not match run on bodies up
   * to 1 MiB (1048576 bytes); past that, a `body_checks_skipped` finding says so.
   * Outside browsers, the first `diagnose` or `sign` call in a process instantiates the
   * package's second wasm module (a few ms).
   */
  diagnose(body: WebhookBody | object, headers: WebhookHeaders): Diagnosis;
  /**
   * Headers (lower-case names) that make `verify` accept `body`. Like `diagnose`, it runs
   * in the second wasm module, instantiated on first use. A `whsk_` key signs `v1a`
   * entries; a `whpk_` public key cannot sign.
   * @throws WebhookVerificationError `invalid_secret` for a `whpk_` key; `invalid_option`
   *   for a bad `id` or `timestamp`.
   */
  sign(body: WebhookBody, options?: SignOptions): Record<string, string>;
}

/** What {@link Webhook.diagnose} found. */
export interface Diagnosis {
  /**
   * Whether `verify` accepts the delivery as given. A body whose signature matches but
   * which is not JSON is not verified: `code` is then `invalid_payload`, as `verify` says.
   */
  verified: boolean;
  /** The error code `verify` gives, when it fails. */
  code: WebhookErrorCode | null;
  /** The error message `verify` gives, when it fails. */
  message: string | null;
  /** Recognised mistakes, most likely first. */
  findings: DiagnosisFinding[];
}

export interface DiagnosisFinding {
  kind:
    | "parsed_body"
    | "wrong_scheme"
    | "body_reserialized"
    | "trailing_newline_removed"
    | "trailing_newline_added"
    | "line_endings_changed"
    /** The body is over 1 MiB: the checks for a signature that does not match were skipped. */
    | "body_checks_skipped"
    | "secret_whitespace"
    | "secret_form"
    | "other_scheme_rule"
    | "timestamp_milliseconds"
    | "clock_skew"
    /**
     * The doctor failed inside its WebAssembly module (its memory exhausted): no checks
     * ran; `verified`, `code` and `message` are verify's.
     */
    | "doctor_failed";
  /** The mistake and its fix, in plain words. */
  message: string;
}

/**
 * Reads a Fetch API `Request`'s body as bytes, at most `options.limit` of them (default
 * 1 MiB), and verifies it; resolves to the parsed event.
 * @throws WebhookVerificationError (a rejection): `body_too_large` over the limit,
 *   `invalid_body_type` if the body was already read, and every verification error.
 */
export function verifyRequest<T = unknown>(
  request: Request,
  secret: WebhookSecret | WebhookSecret[],
  options?: VerifyRequestOptions,
): Promise<T>;

export * from "./events.js";

/** The scheme whose signature header is present in `headers`, or null. */
export function detectScheme(headers: WebhookHeaders): Scheme | null;

/**
 * The first delivery id header present in `headers` (webhook-id, svix-id,
 * X-Vector-Delivery, X-GitHub-Delivery, X-Shopify-Webhook-Id), or null, whatever the
 * scheme: for logging. To drop duplicates use {@link Webhook.deliveryId}, which reads only
 * the scheme's own header (an extra header added to a replayed request is ignored).
 */
export function deliveryId(headers: WebhookHeaders): string | null;

/**
 * Where a {@link ReplayGuard} records keys. `claim` records `key` for `ttlMs` milliseconds
 * only if it is not already recorded, atomically (two claims at once: one true), and says
 * whether it did; `release` forgets it. A store's failure is a rejection (or a throw).
 * Stores: {@link memoryStore} (the default), `redisStore` (hookproof/redis),
 * `durableObjectStore` (hookproof/durable-object), or your own (a SQL table with a unique
 * key: `INSERT ... ON CONFLICT DO NOTHING`).
 */
export interface ReplayStore {
  claim(key: string, ttlMs: number): boolean | Promise<boolean>;
  release(key: string): void | Promise<void>;
}

export interface MemoryStoreOptions {
  /** At most this many keys are remembered; the oldest are forgotten first. Default 10 000. */
  maxEntries?: number;
  /** The clock (milliseconds or a Date), for tests; NaN or an invalid Date is `invalid_option`. */
  now?: () => number | Date;
}

/** The in-memory store: one process, bounded in size. ReplayGuard's default. */
export function memoryStore(options?: MemoryStoreOptions): ReplayStore & { readonly size: number };

export interface ReplayGuardOptions {
  /**
   * Where keys are recorded. Default: an in-memory store (per process) made with
   * `maxEntries` and `now`. Behind several instances, a shared one: `redisStore(client)`
   * (hookproof/redis), `durableObjectStore(env.REPLAY_GUARD)` (hookproof/durable-object).
   */
  store?: ReplayStore;
  /**
   * How long a key is remembered, in seconds (fractions allowed). Default 600. Keep it >=
   * the verifier's tolerance, and to drop a provider's redeliveries, >= its retry window
   * (Standard Webhooks: ~28 h; Stripe: 3 days).
   */
  ttlSeconds?: number;
  /**
   * Put before every id in the store's keys: one per provider or route keeps their ids
   * apart in a shared store. Default `"hookproof:replay:"`.
   */
  prefix?: string;
  /**
   * When the store fails or does not answer in time: `"reject"` (default) throws
   * `replay_store_unavailable` (the integrations answer 503, and the provider retries);
   * `"accept"` takes the delivery as new (it may then be processed twice) and ignores a
   * failed release.
   */
  onStoreError?: "reject" | "accept";
  /** How long a store call may take, in ms, before it counts as a failure. Default 2000. */
  timeoutMs?: number;
  /** The in-memory store's size bound, without `store`. Default 10 000. */
  maxEntries?: number;
  /**
   * The in-memory store's clock (milliseconds or a Date), without `store`. For tests; NaN or
   * an invalid Date is `invalid_option`.
   */
  now?: () => number | Date;
}

/**
 * Drops duplicate deliveries (at-least-once delivery resends, replays within the
 * tolerance): `await guard.claim(id)` is true the first time an id is claimed within the
 * TTL, false afterwards, atomically across every instance sharing the store.
 */
export class ReplayGuard {
  /** @throws WebhookVerificationError `invalid_option`. */
  constructor(options?: ReplayGuardOptions);
  /**
   * Claims `id` (call it after the signature verified): true the first time within the TTL
   * (process the delivery), false after (a duplicate: answer 2xx and do nothing).
   * @throws WebhookVerificationError (a rejection) `replay_store_unavailable` when the store
   *   fails and `onStoreError` is "reject"; `invalid_option` for an empty id.
   */
  claim(id: string): Promise<boolean>;
  /**
   * Undoes a claim when processing failed, so that the provider's retry is processed.
   * @throws WebhookVerificationError (a rejection) `replay_store_unavailable` as `claim`.
   */
  release(id: string): Promise<void>;
  /**
   * The synchronous claim of the in-memory store, kept for compatibility: true when `id`
   * was already seen within the TTL (drop it), false the first time.
   * @throws WebhookVerificationError `invalid_option` with any other store.
   */
  seen(id: string): boolean;
  /**
   * How many keys the in-memory store holds.
   * @throws WebhookVerificationError `invalid_option` with any other store.
   */
  readonly size: number;
}

/**
 * The key to claim for a verified delivery: the scheme's delivery id
 * ({@link Webhook.deliveryId}), or for a scheme that sends none (stripe, vercel, slack,
 * generic) `"sha256:"` and the hex SHA-256 of the body, whose bytes are signed (a replayer
 * cannot change them, as it can add entries to a signature header). Two deliveries with
 * the same body and no id header are then one; for Stripe and Vercel prefer the event's
 * own `id`.
 */
export function deliveryKey(webhook: Webhook, body: WebhookBody, headers: WebhookHeaders): Promise<string>;

/**
 * The integrations' (hookproof/express, /hono, /next, /fastify) duplicate handling. `E` is
 * the route's event type, which `replayKey` is given (`any` while the event is `unknown`).
 */
export interface ReplayOptions<E = any> {
  /**
   * Claims every verified delivery before the handler runs: a duplicate is answered
   * 200 `{"duplicate": true}` and the handler is not called; a store failure is answered
   * 503 `replay_store_unavailable` (with onStoreError "reject"). An answer other than 2xx,
   * or a handler that throws, releases the claim, so that the provider's retry is
   * processed. A connection that closes before any answer keeps it (the handler may still
   * be at work).
   */
  replayGuard?: ReplayGuard;
  /**
   * The key to claim, from the verified event: `(event) => event.id` for Stripe and
   * Vercel. When it returns nothing (or no function is given): {@link deliveryKey}.
   */
  replayKey?: (event: unknown extends E ? any : E, headers: WebhookHeaders) => string | null | undefined;
}
