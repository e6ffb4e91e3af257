// hookproof/redis on a real redis-server (run.sh starts one: REDIS_URL), with both client
// libraries, node-redis and ioredis: claims, TTL expiry, two processes racing on 10,000
// ids, a server that dies mid-run and comes back, and README.md's Redis snippet.
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { fork, execFile } from "node:child_process";
import { promisify } from "node:util";
import { once } from "node:events";
import { createClient } from "redis";
import Redis from "ioredis";
import { ReplayGuard } from "../../pkg/src/node.mjs";
import { redisStore } from "../../pkg/src/redis.mjs";
import { startRedis } from "./redis-server.mjs";

const URL_ = process.env.REDIS_URL;
assert.ok(URL_, "REDIS_URL is set by tests/replay/run.sh");
const RUN = `run${process.pid}:`; // keys of this run, apart from earlier ones

const clients = [];
after(async () => {
  for (const c of clients) typeof c.status === "string" ? c.disconnect() : c.destroy();
});

/** A connected client of `library`, errors swallowed (the outage test makes many). */
async function connect(library, url, options = {}) {
  let client;
  if (library === "ioredis") {
    client = new Redis(url, { retryStrategy: () => 100, ...options });
    client.on("error", () => {});
    await once(client, "ready");
  } else {
    client = createClient({ url, socket: { reconnectStrategy: () => 100 }, ...options });
    client.on("error", () => {});
    await client.connect();
  }
  clients.push(client);
  return client;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

for (const library of ["redis", "ioredis"]) {
  describe(`redisStore with ${library}`, () => {
    test("claim once, release, prefix, and SET NX PX's expiry", { timeout: 20_000 }, async () => {
      const client = await connect(library, URL_);
      const prefix = `${RUN}${library}:`;
      const guard = new ReplayGuard({ store: redisStore(client), prefix, ttlSeconds: 0.3 });
      assert.equal(await guard.claim("msg_1"), true);
      assert.equal(await guard.claim("msg_1"), false);
      const ttl = library === "ioredis" ? await client.pttl(`${prefix}msg_1`) : await client.pTTL(`${prefix}msg_1`);
      assert.ok(ttl > 0 && ttl <= 300, `PTTL ${ttl}`);
      const other = new ReplayGuard({ store: redisStore(client), prefix: `${prefix}other:`, ttlSeconds: 0.3 });
      assert.equal(await other.claim("msg_1"), true, "another prefix");
      await guard.release("msg_1");
      assert.equal(await guard.claim("msg_1"), true, "released");
      await sleep(400);
      assert.equal(await guard.claim("msg_1"), true, "expired");
      assert.equal(await guard.claim("msg_1"), false);
    });
  });
}

test(
  "two processes (node-redis, ioredis) racing on 10,000 ids claim each exactly once",
  { timeout: 40_000 },
  async () => {
    const COUNT = 10_000;
    const prefix = `${RUN}race:`;
    const workers = ["redis", "ioredis"].map((library) =>
      fork(new URL("./race-worker.mjs", import.meta.url), [library, URL_, prefix, String(COUNT)], { stdio: "inherit" }),
    );
    await Promise.all(workers.map((w) => once(w, "message")));
    const results = workers.map((w) => once(w, "message"));
    for (const w of workers) w.send("go");
    const [[a], [b]] = await Promise.all(results);
    const seen = new Uint8Array(COUNT);
    for (const id of [...a.claimed, ...b.claimed]) seen[id]++;
    assert.equal(a.claimed.length + b.claimed.length, COUNT, `${a.claimed.length} + ${b.claimed.length}`);
    assert.ok(
      seen.every((n) => n === 1),
      "an id claimed twice or never",
    );
    // Both raced for real: each won a share.
    assert.ok(a.claimed.length > 0 && b.claimed.length > 0, `${a.claimed.length} / ${b.claimed.length}`);
    await Promise.all(workers.map((w) => (w.exitCode === null ? once(w, "exit") : null)));
  },
);

test(
  "Redis dies mid-run: replay_store_unavailable and no false 'new'; back, it works again",
  { timeout: 40_000 },
  async () => {
    const server = await startRedis();
    try {
      const guards = [];
      const own = [];
      for (const library of ["redis", "ioredis"]) {
        const client = await connect(library, server.url);
        own.push(client);
        guards.push([library, new ReplayGuard({ store: redisStore(client), prefix: `${RUN}down:${library}:` })]);
      }
      for (const [, guard] of guards) {
        for (let i = 0; i < 100; i++) assert.equal(await guard.claim(`before_${i}`), true);
      }
      await server.stop();
      // The clients notice the lost connection (a command sent before that is in flight on
      // a dead socket: it waits for the client's own timeout or reconnection).
      const noticed = Date.now() + 5000;
      while (own.some((c) => (typeof c.status === "string" ? c.status === "ready" : c.isReady))) {
        assert.ok(Date.now() < noticed, "the clients did not notice the server's death within 5 s");
        await sleep(10);
      }

      // Claims of ids seen before and of new ones, in a loop for a while: every one fails,
      // none is taken as new, and each fails fast (no command queued until the server returns).
      const until = Date.now() + 500;
      let failures = 0;
      while (Date.now() < until) {
        for (const [library, guard] of guards) {
          for (const id of ["before_1", `new_${failures}`]) {
            const t = Date.now();
            await assert.rejects(guard.claim(id), { code: "replay_store_unavailable" }, library);
            assert.ok(Date.now() - t < 1000, `${library}: failed in ${Date.now() - t} ms`);
            failures++;
          }
        }
        await sleep(20);
      }
      assert.ok(failures >= 8, `${failures} failures`);
      // onStoreError "accept": the delivery goes through as new.
      const accepting = new ReplayGuard({ store: redisStore(clients.at(-1)), onStoreError: "accept" });
      assert.equal(await accepting.claim("during"), true);

      await server.start();
      for (const [library, guard] of guards) {
        const deadline = Date.now() + 5000;
        let claimed;
        while (claimed === undefined) {
          claimed = await guard.claim("after").catch((e) => {
            assert.equal(e.code, "replay_store_unavailable");
            assert.ok(Date.now() < deadline, `${library} did not reconnect within 5 s`);
          });
          if (claimed === undefined) await sleep(50);
        }
        assert.equal(claimed, true, library);
        assert.equal(await guard.claim("after"), false, library);
      }
    } finally {
      await server.stop();
    }
  },
);

test(
  "README.md's Redis snippet (examples/dedupe-redis.mjs) runs and its assertions hold",
  { timeout: 40_000 },
  async () => {
    const example = new URL("../../examples/dedupe-redis.mjs", import.meta.url);
    await promisify(execFile)(process.execPath, [example.pathname], { env: process.env, timeout: 20_000 });
  },
);
