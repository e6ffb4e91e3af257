// ReplayGuard on Redis over loopback, with node-redis and ioredis: claims per second (64 in
// flight), one claim's latency (median, p99), and the latency a claim adds to a verified
// delivery (1 KB body, standard scheme) against verify alone. Not part of CI.
//
//   node bench/replay.mjs                  # starts a redis-server of its own (apt's)
//   REDIS_URL=redis://host:6379 node bench/replay.mjs
//   node bench/replay.mjs --seconds 1      # per measurement (default 2)
import { createClient } from "redis";
import Redis from "ioredis";
import { Webhook, ReplayGuard } from "../pkg/src/node.mjs";
import { redisStore } from "../pkg/src/redis.mjs";
import { startRedis } from "../tests/replay/redis-server.mjs";

const seconds = Number(process.argv[process.argv.indexOf("--seconds") + 1]) || 2;
const server = process.env.REDIS_URL ? null : await startRedis();
const url = process.env.REDIS_URL ?? server.url;
const prefix = `bench${process.pid}:`;

async function connect(library) {
  if (library === "ioredis") {
    const client = new Redis(url);
    await new Promise((resolve, reject) => client.once("ready", resolve).once("error", reject));
    return client;
  }
  return createClient({ url }).connect();
}

/** Runs `op(i)` with `lanes` in flight for `seconds`; resolves to ops per second. */
async function rate(op, lanes) {
  let i = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (performance.now() < end) await op(i++);
    }),
  );
  return i / seconds;
}

/** Timings (µs) of `op(i)` for i < n, one at a time: { median, p99 }. */
async function timings(op, n) {
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await op(i);
    times[i] = (performance.now() - t) * 1000;
  }
  times.sort();
  return { median: times[n >> 1], p99: times[Math.floor(n * 0.99)] };
}

const rows = [];
const secret = "whsec_" + Buffer.from("hookproof replay bench key").toString("base64");
const wh = new Webhook(secret);
const body = JSON.stringify({ type: "invoice.paid", data: { pad: "x".repeat(1024 - 48) } });
const N = 20_000;
const signed = Array.from({ length: N }, (_, i) => wh.sign(body, { id: `msg_${i}` }));

// Warm up, then verify alone as the baseline.
for (let i = 0; i < 2000; i++) wh.verify(body, signed[i % N]);
const verifyAlone = (await timings((i) => wh.verify(body, signed[i % N]), N)).median;
const memory = new ReplayGuard({ prefix: `${prefix}mem:`, maxEntries: N });
const verifyMemory = (
  await timings(async (i) => {
    wh.verify(body, signed[i]);
    await memory.claim(wh.deliveryId(signed[i]));
  }, N)
).median;

for (const library of ["redis", "ioredis"]) {
  const client = await connect(library);
  const guard = new ReplayGuard({ store: redisStore(client), prefix: `${prefix}${library}:` });
  let run = 0;
  const claim = () => {
    const r = run++;
    return (i) => guard.claim(`${r}:${i}`);
  };
  await rate(claim(), 64); // warm-up
  const many = await rate(claim(), 64);
  const one = await timings(claim(), N);
  const verified = (
    await timings(async (i) => {
      wh.verify(body, signed[i]);
      if (!(await guard.claim(wh.deliveryId(signed[i])))) throw new Error("a fresh id was taken as a duplicate");
    }, N)
  ).median;
  rows.push({ library, one, many, verified });
  await (library === "ioredis" ? client.quit() : client.close());
}
await server?.stop();

const f = (x) => Math.round(x).toLocaleString("en-US");
console.log(`verify alone (1 KB, standard): median ${verifyAlone.toFixed(1)} µs`);
console.log(`verify + claim, in-memory store: median ${verifyMemory.toFixed(1)} µs`);
console.log(
  "\n| client | claims/s, 64 in flight | one claim: median / p99 | verify + claim, median | added by the claim |",
);
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const { library, one, many, verified } of rows) {
  const added = (verified - verifyAlone).toFixed(1);
  const claim = `${one.median.toFixed(1)} / ${one.p99.toFixed(1)} µs`;
  console.log(`| ${library} | ${f(many)} | ${claim} | ${verified.toFixed(1)} µs | ${added} µs |`);
}
