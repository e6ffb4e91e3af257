// hookproof/durable-object under Miniflare (workerd): two Workers, "a" (which defines the
// object class) and "b" (bound to a's class), claim the same ids at once through
// ReplayGuards of their own: each id is claimed once; expired keys are claimable again.
// README.md's Worker (examples/durable-object.ts) runs as "c" and "d" the same way.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, symlinkSync, copyFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { Webhook } from "../../pkg/src/node.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "../..");
const SECRET = "whsec_" + Buffer.from("hookproof durable object key").toString("base64");
let dir;
let mf;
let workers;

/** Bundles `entry` as `${root}/pkg/src/worker.mjs` beside the package's .wasm files. */
async function bundle(entry, root) {
  // `hookproof` resolves to pkg/ through its exports map ("workerd" condition), as an
  // installed package would; the .wasm imports stay imports, compiled by workerd.
  mkdirSync(join(root, "node_modules"), { recursive: true });
  symlinkSync(join(ROOT, "pkg"), join(root, "node_modules/hookproof"), "dir");
  mkdirSync(join(root, "pkg/src"), { recursive: true });
  mkdirSync(join(root, "pkg/gen"));
  await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    nodePaths: [join(root, "node_modules")],
    external: ["*.wasm"],
    // Named pkg/src/worker.mjs, so that "../gen/hookproof_bg.wasm" is pkg/gen/'s.
    outfile: join(root, "pkg/src/worker.mjs"),
    logLevel: "warning",
  });
  for (const wasm of ["hookproof_bg.wasm", "hookproof_tools_bg.wasm"]) {
    copyFileSync(join(ROOT, "pkg/gen", wasm), join(root, "pkg/gen", wasm));
  }
  return {
    modules: true,
    scriptPath: join(root, "pkg/src/worker.mjs"),
    modulesRoot: root,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2025-01-01",
  };
}

before(
  async () => {
    dir = mkdtempSync(join(tmpdir(), "hookproof-do-"));
    const script = await bundle(join(HERE, "do-worker.mjs"), join(dir, "claims"));
    // README.md's Worker (examples/durable-object.ts), twice too.
    const example = {
      ...(await bundle(join(ROOT, "examples/durable-object.ts"), join(dir, "example"))),
      bindings: { WEBHOOK_SECRET: SECRET },
    };
    const shared = (className, scriptName) => ({ REPLAY_GUARD: { className, scriptName } });
    mf = new Miniflare({
      workers: [
        // ReplayGuardObject with a count of its keys, for the sweep's test.
        { name: "a", ...script, durableObjects: { REPLAY_GUARD: "CountingReplayGuardObject" } },
        { name: "b", ...script, durableObjects: shared("CountingReplayGuardObject", "a") },
        { name: "c", ...example, durableObjects: { REPLAY_GUARD: "ReplayGuardObject" } },
        { name: "d", ...example, durableObjects: shared("ReplayGuardObject", "c") },
      ],
    });
    await mf.ready;
    workers = await Promise.all(["a", "b", "c", "d"].map((name) => mf.getWorker(name)));
  },
  { timeout: 60_000 },
);

after(async () => {
  await mf?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function claim(worker, ids, ttlSeconds = 600, release = [], name = undefined) {
  const res = await worker.fetch("http://replay.test/", {
    method: "POST",
    body: JSON.stringify({ ids, ttlSeconds, release, name }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).claimed;
}

test("two Workers claiming the same 1,000 ids at once claim each exactly once", { timeout: 40_000 }, async () => {
  const ids = Array.from({ length: 1000 }, (_, i) => `msg_${i}`);
  const reversed = [...ids].reverse();
  const chunks = (list) => Array.from({ length: list.length / 100 }, (_, i) => list.slice(i * 100, i * 100 + 100));
  const count = new Map();
  const runs = [
    [workers[0], chunks(ids)],
    [workers[1], chunks(reversed)],
  ].flatMap(([worker, parts]) =>
    parts.map(async (part) => {
      const results = await claim(worker, part);
      part.forEach((id, i) => count.set(id, (count.get(id) ?? 0) + (results[i] ? 1 : 0)));
    }),
  );
  await Promise.all(runs);
  assert.equal(count.size, ids.length);
  const wrong = [...count].filter(([, n]) => n !== 1);
  assert.deepEqual(wrong, [], "ids claimed twice or never");
  assert.deepEqual(await claim(workers[1], ids.slice(0, 10)), Array(10).fill(false), "claimed before");
});

test("a key expires after its TTL; release frees it at once", { timeout: 40_000 }, async () => {
  assert.deepEqual(await claim(workers[0], ["exp_1", "exp_2"], 0.5), [true, true]);
  assert.deepEqual(await claim(workers[1], ["exp_1", "exp_2"], 0.5), [false, false]);
  assert.deepEqual(await claim(workers[1], ["exp_2"], 0.5, ["exp_2"]), [true], "released, claimed again");
  await new Promise((r) => setTimeout(r, 700));
  assert.deepEqual(await claim(workers[1], ["exp_1", "exp_2"], 0.5), [true, true], "expired");
});

test("the alarm deletes expired keys from the objects", { timeout: 40_000 }, async () => {
  const ids = Array.from({ length: 40 }, (_, i) => `sweep_${i}`);
  assert.ok((await claim(workers[0], ids, 2, [], "sweep")).every(Boolean));
  const count = async () => (await workers[1].fetch("http://replay.test/keys?name=sweep")).json();
  assert.equal(
    (await count()).reduce((sum, { keys }) => sum + keys, 0),
    40,
  );
  const deadline = Date.now() + 15_000;
  let counts;
  do {
    await new Promise((r) => setTimeout(r, 200));
    counts = await count();
  } while (counts.some(({ entries }) => entries > 0) && Date.now() < deadline);
  assert.deepEqual(
    counts.map(({ entries }) => entries),
    [0, 0, 0, 0],
    "entries left in storage after the sweep",
  );
});

test("README's Worker, twice: one delivery sent 20 times at once is processed once", { timeout: 40_000 }, async () => {
  const wh = new Webhook(SECRET);
  const body = JSON.stringify({ type: "order.paid", data: { n: 1 } });
  const headers = wh.sign(body);
  const answers = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const res = await workers[2 + (i % 2)].fetch("http://example.test/", { method: "POST", headers, body });
      return [res.status, await res.json()];
    }),
  );
  const received = answers.filter(([, json]) => json.received === "order.paid");
  const duplicates = answers.filter(([status, json]) => status === 200 && json.duplicate === true);
  assert.equal(received.length, 1, JSON.stringify(answers));
  assert.equal(duplicates.length, 19, JSON.stringify(answers));
  const forged = await workers[2].fetch("http://example.test/", {
    method: "POST",
    headers: new Webhook("whsec_" + Buffer.from("another key").toString("base64")).sign(body),
    body,
  });
  assert.equal(forged.status, 401);
  assert.equal((await forged.json()).error.code, "no_matching_signature");
});
