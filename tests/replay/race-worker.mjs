// One receiver instance in the race of tests/replay/redis.test.mjs: connects with the
// client library it is given, waits for "go", claims every id of 0..count-1 in its own
// shuffled order (50 claims in flight), and sends back the ids it claimed.
import { createClient } from "redis";
import Redis from "ioredis";
import { ReplayGuard } from "../../pkg/src/node.mjs";
import { redisStore } from "../../pkg/src/redis.mjs";

const [library, url, prefix, count] = process.argv.slice(2);
const client = library === "ioredis" ? new Redis(url) : await createClient({ url }).connect();
client.on("error", () => {});
if (library === "ioredis") await new Promise((resolve) => client.once("ready", resolve));
const guard = new ReplayGuard({ store: redisStore(client), prefix, ttlSeconds: 600 });

const ids = Array.from({ length: Number(count) }, (_, i) => i);
for (let i = ids.length - 1; i > 0; i--) {
  const j = Math.floor(Math.random() * (i + 1));
  [ids[i], ids[j]] = [ids[j], ids[i]];
}

process.send({ ready: true });
process.once("message", async () => {
  const claimed = [];
  let next = 0;
  const lane = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      if (await guard.claim(`evt_${id}`)) claimed.push(id);
    }
  };
  await Promise.all(Array.from({ length: 50 }, lane));
  process.send({ claimed });
  await (library === "ioredis" ? client.quit() : client.close());
  process.disconnect();
});
