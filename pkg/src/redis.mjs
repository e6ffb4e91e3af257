// hookproof/redis: a ReplayGuard store on Redis, shared by every instance of a receiver.
// The client is the application's own (node-redis v4+ or ioredis): this package depends
// on neither.
import { WebhookVerificationError } from "#hookproof";

// ioredis clients (and clusters) have `call` and a `status`; node-redis ones have neither.
function isIoredis(client) {
  return typeof client.call === "function" && typeof client.status === "string";
}

/**
 * `new ReplayGuard({ store: redisStore(client) })`. A claim is one `SET key 1 NX PX ttl`:
 * Redis records the key only if it is absent, atomically, so two instances claiming one id
 * at once get one "OK" between them; a read before the write would let both through. A
 * release is a plain `DEL key`: it could delete another instance's claim only if this one
 * expired first, which a TTL longer than the processing of a delivery rules out.
 *
 * A client that is not connected (or is reconnecting) fails at once rather than queueing
 * the command: a queued claim sent after the guard gave up would record the delivery
 * while its retry is on the way.
 */
export function redisStore(client) {
  if (client === null || typeof client !== "object" || typeof client.set !== "function") {
    throw new WebhookVerificationError(
      "invalid_option",
      "redisStore needs a connected node-redis (createClient) or ioredis (new Redis) client",
    );
  }
  const io = isIoredis(client);
  const ready = io
    ? // "wait": lazyConnect's client, which connects on its first command.
      () => client.status === "ready" || client.status === "wait"
    : () => client.isReady !== false;
  const check = () => {
    if (!ready()) throw new Error(`the Redis client is not connected (${io ? client.status : "not ready"})`);
  };
  return {
    async claim(key, ttlMs) {
      check();
      const reply = io
        ? await client.set(key, "1", "PX", ttlMs, "NX")
        : // node-redis v5+ reads `expiration` and `condition`; v4 reads PX and NX.
          await client.set(key, "1", {
            expiration: { type: "PX", value: ttlMs },
            condition: "NX",
            PX: ttlMs,
            NX: true,
          });
      return reply === "OK";
    },
    async release(key) {
      check();
      await client.del(key);
    },
  };
}
