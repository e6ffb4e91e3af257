// README.md's Redis snippet (between #region and #endregion), run by tests/replay against
// its redis-server (REDIS_URL): one delivery sent twice is new once.
import assert from "node:assert/strict";
import { Webhook, deliveryKey } from "hookproof";

const wh = new Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
const body = JSON.stringify({ type: "order.paid" });
const headers = wh.sign(body);

// #region redis
import { createClient } from "redis"; // or ioredis: const redis = new Redis(process.env.REDIS_URL)
import { ReplayGuard } from "hookproof";
import { redisStore } from "hookproof/redis";
const redis = await createClient({ url: process.env.REDIS_URL }).connect();
const guard = new ReplayGuard({ store: redisStore(redis), ttlSeconds: 3 * 24 * 3600, prefix: "hooks:standard:" });
// ... after wh.verify(body, headers):
const isNew = await guard.claim(await deliveryKey(wh, body, headers));
// #endregion

assert.equal(isNew, true);
assert.equal(await guard.claim(await deliveryKey(wh, body, headers)), false);
await guard.release(await deliveryKey(wh, body, headers));
await redis.close();
