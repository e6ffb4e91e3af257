// One instance of the receiver of tests/replay/chaos.test.mjs: Express with
// hookproof/express and a ReplayGuard on the Redis that every instance shares. Its
// effect (process.send) happens once per event; the first try of every fifth event fails,
// which must release the claim so that the sender's retry is processed.
import express from "express";
import { createClient } from "redis";
import { ReplayGuard } from "../../pkg/src/node.mjs";
import { webhookMiddleware } from "../../pkg/src/express.mjs";
import { redisStore } from "../../pkg/src/redis.mjs";

const { REDIS_URL, SECRET, PREFIX, INSTANCE } = process.env;
const redis = await createClient({ url: REDIS_URL }).connect();
const replayGuard = new ReplayGuard({ store: redisStore(redis), prefix: PREFIX, ttlSeconds: 600 });

const app = express();
app.post("/hook", webhookMiddleware(SECRET, { replayGuard }), async (req, res) => {
  const { n } = req.webhook.data;
  await new Promise((r) => setTimeout(r, 5)); // some work, so that deliveries overlap
  if (n % 5 === 0 && (await redis.incr(`${PREFIX}tries:${n}`)) === 1) throw new Error("the first try fails");
  process.send({ effect: n, instance: INSTANCE });
  res.status(204).end();
});
app.use((err, req, res, _next) => res.status(500).json({ error: { code: "handler", message: err.message } }));
const server = app.listen(0, "127.0.0.1", () => process.send({ port: server.address().port }));
process.on("disconnect", () => {
  server.close();
  redis.destroy();
});
