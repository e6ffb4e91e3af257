// hookproof/durable-object: a ReplayGuard store on Cloudflare Durable Objects, shared by
// every isolate of a Worker. Keys are spread over `shards` objects by a hash of the key;
// each object records its keys with their deadlines and claims one atomically (a Durable
// Object runs one event at a time, and its storage's input gate holds other events while a
// read is in flight, so its read-then-write is not interleaved). An alarm deletes expired
// keys, so storage does not grow with every delivery ever received.
import { WebhookVerificationError } from "#hookproof";

const DEFAULT_SHARDS = 16;
const DEFAULT_NAME = "hookproof-replay";
// Sweeps of one object are at least this far apart; each reads only the expired entries.
const SWEEP_GAP_MS = 5000;
const ORIGIN = "https://replay-guard.hookproof.invalid";
// Storage: "k:<key>" holds the key's deadline (ms); "x:<deadline, 15 digits>:<key>" indexes
// it by deadline, so that a sweep lists the expired entries and nothing else.
const KEY = "k:";
const INDEX = "x:";
const index = (deadline, key) => `${INDEX}${String(deadline).padStart(15, "0")}:${key}`;
// delete() and get() take at most 128 keys at once.
const BATCH = 128;

/**
 * The Durable Object class: export it from the Worker (`export { ReplayGuardObject } from
 * "hookproof/durable-object"`) and bind it (wrangler: durable_objects.bindings, with a
 * migration that creates the class).
 */
export class ReplayGuardObject {
  #storage;

  constructor(state) {
    this.#storage = state.storage;
  }

  async fetch(request) {
    const { op, key, ttlMs } = await request.json();
    if (typeof key !== "string" || key === "") return new Response("a key is needed", { status: 400 });
    if (op === "release") {
      // Its index entry stays until the sweep, which then finds another deadline or none.
      await this.#storage.delete(KEY + key);
      return Response.json({ released: true });
    }
    if (op !== "claim" || !(ttlMs > 0)) return new Response("unknown operation", { status: 400 });
    const now = Date.now();
    const until = await this.#storage.get(KEY + key);
    if (until > now) return Response.json({ claimed: false });
    const deadline = now + ttlMs;
    await this.#storage.put({ [KEY + key]: deadline, [index(deadline, key)]: 1 });
    // The next sweep is at the earliest deadline, give or take the gap: a key of a shorter
    // TTL than the rest brings it forward.
    const alarm = await this.#storage.getAlarm();
    if (alarm === null || alarm > deadline + SWEEP_GAP_MS) await this.#storage.setAlarm(deadline);
    return Response.json({ claimed: true });
  }

  /** Deletes the expired keys; the next sweep is due at the earliest deadline left. */
  async alarm() {
    const now = Date.now();
    const end = index(now + 1, "");
    for (;;) {
      const expired = await this.#storage.list({ prefix: INDEX, end, limit: BATCH });
      if (expired.size === 0) break;
      const entries = [...expired.keys()].map((name) => {
        const key = name.slice(INDEX.length + 16);
        return { name, key: KEY + key, deadline: Number(name.slice(INDEX.length, INDEX.length + 15)) };
      });
      // A key claimed again after a release has a later deadline: its entry stays.
      const current = await this.#storage.get(entries.map((e) => e.key));
      const gone = entries.filter((e) => current.get(e.key) === e.deadline).map((e) => e.key);
      const names = [...entries.map((e) => e.name), ...gone];
      for (let i = 0; i < names.length; i += BATCH) await this.#storage.delete(names.slice(i, i + BATCH));
      if (expired.size < BATCH) break;
    }
    const [next] = (await this.#storage.list({ prefix: INDEX, limit: 1 })).keys();
    if (next !== undefined) {
      const deadline = Number(next.slice(INDEX.length, INDEX.length + 15));
      await this.#storage.setAlarm(Math.max(deadline, now + SWEEP_GAP_MS));
    }
  }
}

// FNV-1a over the key's UTF-16 units: stable across isolates and deployments, so that one
// key always goes to one object.
function shardOf(key, shards) {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % shards;
}

/**
 * `new ReplayGuard({ store: durableObjectStore(env.REPLAY_GUARD) })`: `namespace` is the
 * binding of {@link ReplayGuardObject}. `shards` (default 16) objects share the keys, named
 * `${name}:${n}`; changing either moves keys to other objects, which then forget them.
 */
export function durableObjectStore(namespace, options = {}) {
  const { shards = DEFAULT_SHARDS, name = DEFAULT_NAME } = options ?? {};
  if (typeof namespace?.idFromName !== "function" || typeof namespace?.get !== "function") {
    throw new WebhookVerificationError(
      "invalid_option",
      "durableObjectStore needs the Durable Object namespace binding of ReplayGuardObject (env.REPLAY_GUARD)",
    );
  }
  if (!Number.isInteger(shards) || shards < 1) {
    throw new WebhookVerificationError("invalid_option", "shards must be a whole number >= 1");
  }
  if (typeof name !== "string") throw new WebhookVerificationError("invalid_option", "name must be a string");
  const ids = new Map();
  const call = async (key, body) => {
    const shard = shardOf(key, shards);
    let id = ids.get(shard);
    if (id === undefined) ids.set(shard, (id = namespace.idFromName(`${name}:${shard}`)));
    // A stub per call: a stub is bound to the request that made it.
    const response = await namespace.get(id).fetch(ORIGIN, { method: "POST", body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`the replay guard's Durable Object answered ${response.status}`);
    return response.json();
  };
  return {
    async claim(key, ttlMs) {
      return (await call(key, { op: "claim", key, ttlMs })).claimed === true;
    },
    async release(key) {
      await call(key, { op: "release", key });
    },
  };
}
