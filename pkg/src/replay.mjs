// Duplicate deliveries: ReplayGuard records each delivery's key once, atomically, in a
// store (in memory by default; hookproof/redis and hookproof/durable-object share one across
// instances). Re-exported by every entry.
import { WebhookVerificationError } from "./api.mjs";

const DEFAULT_TTL_SECONDS = 600;
const DEFAULT_MAX_ENTRIES = 10_000;
const DEFAULT_PREFIX = "hookproof:replay:";
const DEFAULT_TIMEOUT_MS = 2000;
const encoder = new TextEncoder();

function fail(code, message) {
  throw new WebhookVerificationError(code, message);
}

function checkId(id) {
  if (typeof id !== "string" || id === "") fail("invalid_option", "a delivery id must be a non-empty string");
}

/**
 * The in-memory store: at most `maxEntries` keys (the oldest are forgotten first), for one
 * process. `claimNow` is its synchronous claim, for ReplayGuard's `seen`.
 */
export function memoryStore(options = {}) {
  const { maxEntries = DEFAULT_MAX_ENTRIES, now = Date.now } = options ?? {};
  if (!(maxEntries >= 1) || typeof now !== "function") {
    fail("invalid_option", "memoryStore needs maxEntries >= 1 and a now() function");
  }
  const max = Math.floor(maxEntries);
  // Key to deadline (ms), in insertion order, which is deadline order for one TTL: expiry
  // walks from the front. (With guards of several TTLs on one store, a key expired behind a
  // later deadline is dropped later; it is claimable again on time all the same.)
  const deadlines = new Map();
  // As the Webhook's clock (api.mjs): a reading that is not a finite time is refused, not
  // taken as 1970.
  const clock = () => {
    const t = now();
    const ms = t instanceof Date ? t.getTime() : typeof t === "number" ? t : NaN;
    if (!Number.isFinite(ms)) {
      fail("invalid_option", "now() must return milliseconds since the epoch (a finite number) or a valid Date");
    }
    return ms;
  };
  const claimNow = (key, ttlMs) => {
    const at = clock();
    for (const [k, until] of deadlines) {
      if (until > at) break;
      deadlines.delete(k);
    }
    if (deadlines.get(key) > at) return false;
    deadlines.delete(key);
    deadlines.set(key, at + ttlMs);
    if (deadlines.size > max) deadlines.delete(deadlines.keys().next().value);
    return true;
  };
  return {
    claimNow,
    claim: async (key, ttlMs) => claimNow(key, ttlMs),
    release: async (key) => void deadlines.delete(key),
    get size() {
      return deadlines.size;
    },
  };
}

/**
 * Records delivery keys for `ttlSeconds` in a store, so that receivers drop the duplicates
 * that at-least-once delivery sends: `await guard.claim(id)` is true for the first claim of
 * an id within the TTL, false afterwards, atomically across everything sharing the store.
 */
export class ReplayGuard {
  #store;
  #ttlMs;
  #prefix;
  #accept;
  #timeoutMs;

  constructor(options = {}) {
    const {
      store,
      ttlSeconds = DEFAULT_TTL_SECONDS,
      prefix = DEFAULT_PREFIX,
      onStoreError = "reject",
      timeoutMs = DEFAULT_TIMEOUT_MS,
      maxEntries,
      now,
    } = options ?? {};
    if (!(ttlSeconds > 0) || !Number.isFinite(ttlSeconds)) fail("invalid_option", "ttlSeconds must be a number > 0");
    if (typeof prefix !== "string") fail("invalid_option", "prefix must be a string");
    if (onStoreError !== "reject" && onStoreError !== "accept") {
      fail("invalid_option", 'onStoreError must be "reject" or "accept"');
    }
    if (!(timeoutMs > 0)) fail("invalid_option", "timeoutMs must be a number > 0");
    if (store !== undefined && (typeof store?.claim !== "function" || typeof store?.release !== "function")) {
      fail("invalid_option", "store must have claim(key, ttlMs) and release(key) (memoryStore, redisStore, ...)");
    }
    if (store !== undefined && (maxEntries !== undefined || now !== undefined)) {
      fail("invalid_option", "maxEntries and now are the in-memory store's options: give them to memoryStore()");
    }
    this.#store = store ?? memoryStore({ maxEntries, now });
    this.#ttlMs = Math.max(1, Math.ceil(ttlSeconds * 1000));
    this.#prefix = prefix;
    this.#accept = onStoreError === "accept";
    this.#timeoutMs = timeoutMs;
  }

  /**
   * True the first time `id` is claimed within the TTL (process the delivery), false after
   * (a duplicate: answer 2xx, do nothing). A store that fails or does not answer within
   * `timeoutMs` throws `replay_store_unavailable` (onStoreError "reject"), or lets the
   * delivery through as new ("accept").
   */
  async claim(id) {
    checkId(id);
    try {
      return (await this.#call(this.#store.claim(this.#prefix + id, this.#ttlMs))) === true;
    } catch (e) {
      if (e?.code === "invalid_option" && e instanceof WebhookVerificationError) throw e; // a misuse, not an outage
      if (this.#accept) return true;
      throw unavailable(e);
    }
  }

  /** Undoes a claim of `id` (processing failed), so that the provider's retry is processed. */
  async release(id) {
    checkId(id);
    try {
      await this.#call(this.#store.release(this.#prefix + id));
    } catch (e) {
      if (e?.code === "invalid_option" && e instanceof WebhookVerificationError) throw e;
      if (!this.#accept) throw unavailable(e);
    }
  }

  /**
   * Synchronous claim, in-memory store only: true when `id` was already seen within the
   * TTL (a duplicate), false the first time. Kept for compatibility; prefer `claim`.
   */
  seen(id) {
    checkId(id);
    if (typeof this.#store.claimNow !== "function") {
      fail("invalid_option", "seen() is synchronous and works with the in-memory store only: use await claim(id)");
    }
    return !this.#store.claimNow(this.#prefix + id, this.#ttlMs);
  }

  /** How many keys the in-memory store holds (other stores cannot count theirs). */
  get size() {
    if (typeof this.#store.claimNow !== "function") {
      fail("invalid_option", "size counts the in-memory store's keys only");
    }
    return this.#store.size;
  }

  // A store call, bounded by timeoutMs: a client that queues commands while its server is
  // down would otherwise hold the delivery until the provider's own timeout.
  #call(result) {
    let timer;
    const late = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.#timeoutMs} ms`)), this.#timeoutMs);
    });
    return Promise.race([Promise.resolve(result), late]).finally(() => clearTimeout(timer));
  }
}

function unavailable(cause) {
  // The cause's message only: store errors may carry connection details, never secrets
  // of ours, but their stack and properties stay out of the answer.
  const error = new WebhookVerificationError(
    "replay_store_unavailable",
    `the replay guard's store failed, so whether this delivery is a duplicate is unknown: ${cause?.message ?? cause}`,
  );
  error.cause = cause;
  return error;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * The key a receiver claims for a verified delivery: the scheme's delivery id header
 * (`webhook.deliveryId`), or when the scheme sends none (stripe, vercel, slack, generic),
 * `sha256:` and the hex SHA-256 of the body's bytes, which are signed: a replayer cannot
 * change them, as it can add entries to a signature header.
 */
export async function deliveryKey(webhook, body, headers) {
  const id = webhook.deliveryId(headers);
  if (id !== null) return id;
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", bytes));
  let hex = "sha256:";
  for (const b of digest) hex += HEX[b];
  return hex;
}
