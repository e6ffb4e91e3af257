/**
 * hookproof/durable-object: a {@link ReplayStore} on Cloudflare Durable Objects, shared by
 * every isolate of a Worker.
 *
 * ```js
 * import { ReplayGuard } from "hookproof";
 * import { durableObjectStore } from "hookproof/durable-object";
 * export { ReplayGuardObject } from "hookproof/durable-object"; // bound as REPLAY_GUARD
 * export default {
 *   async fetch(request, env) {
 *     const guard = new ReplayGuard({ store: durableObjectStore(env.REPLAY_GUARD), ttlSeconds: 86400 });
 *     // ... verify, then: if (!(await guard.claim(id))) return new Response("duplicate");
 *   },
 * };
 * ```
 */
import type { ReplayStore } from "./index.js";

/** The parts of a Durable Object namespace binding this store uses. */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: any): { fetch(input: string, init?: RequestInit): Promise<Response> };
}

/** The parts of a Durable Object's state the class uses. */
export interface DurableObjectStateLike {
  storage: {
    get(key: string): Promise<unknown>;
    get(keys: string[]): Promise<Map<string, unknown>>;
    put(entries: Record<string, unknown>): Promise<void>;
    delete(keys: string | string[]): Promise<unknown>;
    list(options?: { prefix?: string; end?: string; limit?: number }): Promise<Map<string, unknown>>;
    getAlarm(): Promise<number | null>;
    setAlarm(time: number): Promise<void>;
  };
}

/**
 * The Durable Object class that holds the keys: export it from the Worker and bind it
 * (wrangler.toml: `[[durable_objects.bindings]] name = "REPLAY_GUARD", class_name =
 * "ReplayGuardObject"`, and a migration with `new_classes` or `new_sqlite_classes`). Each
 * object keeps its keys with their deadlines, indexed by deadline, and claims one
 * atomically (one event at a time; storage reads hold other events back); an alarm deletes
 * the expired keys, reading only those, at most every 5 s.
 */
export class ReplayGuardObject {
  constructor(state: DurableObjectStateLike, env?: unknown);
  fetch(request: Request): Promise<Response>;
  alarm(): Promise<void>;
}

export interface DurableObjectStoreOptions {
  /**
   * How many objects share the keys (by a hash of the key). Default 16. Changing it, or
   * `name`, moves keys to other objects, which do not know them.
   */
  shards?: number;
  /** The objects' names are `${name}:${n}`. Default `"hookproof-replay"`. */
  name?: string;
}

/**
 * A store on the `ReplayGuardObject` namespace binding (`env.REPLAY_GUARD`).
 * @throws WebhookVerificationError `invalid_option` for a bad namespace or option.
 */
export function durableObjectStore(
  namespace: DurableObjectNamespaceLike,
  options?: DurableObjectStoreOptions,
): ReplayStore;
