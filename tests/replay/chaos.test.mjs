// The sender's chaos "duplicate" mode against a receiver of two Express instances (two
// processes) sharing Redis behind a round-robin proxy, so that an attempt and its
// duplicate usually reach different instances: each event's effect happens exactly once,
// and every duplicate is answered 2xx.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fork, spawn } from "node:child_process";
import { createServer, request as httpRequest } from "node:http";
import { once } from "node:events";

const BIN = process.env.HOOKPROOF_SENDER ?? new URL("../../target/debug/hookproof-sender", import.meta.url).pathname;
const SECRET = "whsec_" + Buffer.from("hookproof chaos replay key").toString("base64");
const EVENTS = 40;

let sender;
let api;
let proxy;
let proxyUrl;
const instances = [];
const effects = []; // { effect: n, instance }
const routed = new Map(); // delivery id -> [instance index, ...]

async function call(method, path, body) {
  const res = await fetch(api + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body && JSON.stringify(body),
  });
  const json = await res.json();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json.data;
}

before(
  async () => {
    const env = { ...process.env, SECRET, PREFIX: `chaos${process.pid}:` };
    for (const name of ["a", "b"]) {
      const child = fork(new URL("./chaos-receiver.mjs", import.meta.url), [], {
        env: { ...env, INSTANCE: name },
        stdio: "inherit",
      });
      const [{ port }] = await once(child, "message");
      child.on("message", (m) => m.effect !== undefined && effects.push(m));
      instances.push({ child, port });
    }
    // The load balancer: each request goes to the next instance in turn.
    let turn = 0;
    proxy = createServer((req, res) => {
      const index = turn++ % instances.length;
      const id = req.headers["webhook-id"];
      routed.set(id, [...(routed.get(id) ?? []), index]);
      const upstream = httpRequest(
        { host: "127.0.0.1", port: instances[index].port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    proxy.listen(0, "127.0.0.1");
    await once(proxy, "listening");
    proxyUrl = `http://127.0.0.1:${proxy.address().port}/hook`;

    sender = spawn(BIN, ["serve", "--addr", "127.0.0.1:0", "--memory", "--time-scale", "0.001"], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, RUST_LOG: "error" },
    });
    sender.stdout.setEncoding("utf8");
    let out = "";
    while (!out.includes("\n")) {
      const [chunk] = await once(sender.stdout, "data");
      out += chunk;
    }
    api = out.match(/listening on (http:\/\/\S+)/)[1];
  },
  { timeout: 60_000 },
);

after(() => {
  sender?.kill();
  proxy?.close();
  for (const { child } of instances) child.disconnect();
});

test(
  "chaos duplicates across two instances sharing Redis: each event's effect happens once",
  { timeout: 40_000 },
  async () => {
    const hook = await call("POST", "/v1/webhooks", {
      url: proxyUrl,
      events: ["*"],
      profile: "standard",
      secret: SECRET,
      retry_schedule: [0, 5, 5, 5],
      chaos: { duplicate: 0.7, seed: 7 },
    });
    await Promise.all(
      Array.from({ length: EVENTS }, (_, n) => call("POST", "/v1/events", { type: "order.created", data: { n } })),
    );

    const deadline = Date.now() + 20_000;
    let deliveries = [];
    for (;;) {
      deliveries = await call("GET", `/v1/webhooks/${hook.id}/deliveries?limit=1000`);
      if (deliveries.length === EVENTS && deliveries.every((d) => d.status !== "pending")) break;
      assert.ok(Date.now() < deadline, `deliveries still pending: ${JSON.stringify(deliveries.map((d) => d.status))}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 200)); // the last duplicates' answers
    for (const d of deliveries) assert.equal(d.status, "success", JSON.stringify(d));

    const counts = new Map();
    for (const { effect: n } of effects) counts.set(n, (counts.get(n) ?? 0) + 1);
    for (let n = 0; n < EVENTS; n++) assert.equal(counts.get(n), 1, `event ${n}: ${counts.get(n) ?? 0} effects`);
    assert.equal(effects.length, EVENTS);
    assert.ok(new Set(effects.map((e) => e.instance)).size === 2, "both instances did work");

    const logs = await call("GET", `/v1/webhooks/${hook.id}/logs?limit=1000`);
    const duplicates = logs.filter((l) => l.chaos === "duplicate");
    assert.ok(duplicates.length >= EVENTS / 2, `${duplicates.length} duplicates sent`);
    for (const l of duplicates) assert.ok(l.status_code >= 200 && l.status_code < 300, JSON.stringify(l));
    // Retries after the failed first tries were processed, not taken as duplicates.
    assert.ok(
      logs.some((l) => l.chaos === null && l.status_code === 500),
      "some first tries failed",
    );
    // The balancer sent some attempt and its duplicate to different instances.
    assert.ok(
      [...routed.values()].some((list) => new Set(list).size === 2),
      "no delivery reached both instances",
    );
  },
);
