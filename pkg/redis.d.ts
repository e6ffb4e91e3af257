/**
 * hookproof/redis: a {@link ReplayStore} on Redis, shared by every instance of a receiver.
 *
 * ```js
 * import { createClient } from "redis"; // or: import Redis from "ioredis"
 * import { ReplayGuard } from "hookproof";
 * import { redisStore } from "hookproof/redis";
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * const guard = new ReplayGuard({ store: redisStore(redis), ttlSeconds: 3 * 24 * 3600, prefix: "hooks:stripe:" });
 * ```
 */
import type { ReplayStore } from "./index.js";

/**
 * The parts of a client this store uses: node-redis v4+ (`createClient()`, `createCluster()`)
 * and ioredis (`new Redis()`, `new Redis.Cluster()`) both fit.
 */
export interface RedisClientLike {
  set(key: string, value: string, ...options: any[]): Promise<string | null | unknown>;
  del(key: string): Promise<unknown>;
}

/**
 * A store on the application's own client (this package depends on no Redis library). A
 * claim is one `SET key 1 NX PX ttl`: atomic, never a read then a write. A release is a
 * plain `DEL key` (it could delete another instance's claim only if this one had expired
 * first: keep the TTL longer than a delivery's processing). A client that is not connected
 * fails at once instead of queueing the command (node-redis: `isReady`; ioredis: `status`
 * "ready", or "wait" with lazyConnect), so the guard answers `replay_store_unavailable`.
 * A command sent in the moment the connection dies, before the client notices, waits as
 * the client lets it (ioredis keeps it until it reconnects): give the client a command
 * timeout (ioredis: `commandTimeout`) so such a claim fails instead of holding the request.
 * @throws WebhookVerificationError `invalid_option` for something that is not a client.
 */
export function redisStore(client: RedisClientLike): ReplayStore;
