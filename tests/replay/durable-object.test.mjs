// hookproof/durable-object under Miniflare (workerd): two Workers, "a" (which defines
// ReplayGuardObject) and "b" (bound to a's class), claim the same ids at once through
// ReplayGuards of their own: each id is claimed once; expired keys are claimable again.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, symlinkSync, copyFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "../..");
let dir;
let mf;
let workers;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "hookproof-do-"));
  // `hookproof` resolves to pkg/ through its exports map ("workerd" condition), as an
  // installed package would; the .wasm imports stay imports, compiled by workerd.
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(join(ROOT, "pkg"), join(dir, "node_modules/hookproof"), "dir");
  mkdirSync(join(dir, "pkg/src"), { recursive: true });
  mkdirSync(join(dir, "pkg/gen"));
  await build({
    entryPoints: [join(HERE, "do-worker.mjs")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    nodePaths: [join(dir, "node_modules")],
    external: ["*.wasm"],
    // Named pkg/src/worker.mjs, so that "../gen/hookproof_bg.wasm" is pkg/gen/'s.
    outfile: join(dir, "pkg/src/worker.mjs"),
    logLevel: "warning",
  });
  for (const wasm of ["hookproof_bg.wasm", "hookproof_tools_bg.wasm"]) {
    copyFileSync(join(ROOT, "pkg/gen", wasm), join(dir, "pkg/gen", wasm));
  }
  const script = {
    modules: true,
    scriptPath: join(dir, "pkg/src/worker.mjs"),
    modulesRoot: dir,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2025-01-01",
  };
  mf = new Miniflare({
    workers: [
      { name: "a", ...script, durableObjects: { REPLAY_GUARD: "ReplayGuardObject" } },
      { name: "b", ...script, durableObjects: { REPLAY_GUARD: { className: "ReplayGuardObject", scriptName: "a" } } },
    ],
  });
  await mf.ready;
  workers = [await mf.getWorker("a"), await mf.getWorker("b")];
});

after(async () => {
  await mf?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function claim(worker, ids, ttlSeconds = 600, release = []) {
  const res = await worker.fetch("http://replay.test/", {
    method: "POST",
    body: JSON.stringify({ ids, ttlSeconds, release }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).claimed;
}

test("two Workers claiming the same 1,000 ids at once claim each exactly once", async () => {
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

test("a key expires after its TTL; release frees it at once", async () => {
  assert.deepEqual(await claim(workers[0], ["exp_1", "exp_2"], 0.5), [true, true]);
  assert.deepEqual(await claim(workers[1], ["exp_1", "exp_2"], 0.5), [false, false]);
  assert.deepEqual(await claim(workers[1], ["exp_2"], 0.5, ["exp_2"]), [true], "released, claimed again");
  await new Promise((r) => setTimeout(r, 700));
  assert.deepEqual(await claim(workers[1], ["exp_1", "exp_2"], 0.5), [true, true], "expired");
});
