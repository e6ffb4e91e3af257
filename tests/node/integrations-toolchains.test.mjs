// The integrations as they are built and run elsewhere: the CJS builds share the root
// entry's wasm; the declarations type-check against the frameworks' types; hookproof/hono
// bundled for workerd and resolved by Deno from node_modules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { readFileSync, mkdtempSync, mkdirSync, symlinkSync, writeFileSync, copyFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Webhook } from "../../pkg/src/node.mjs";
import {
  pkgRequire,
  expressCjs,
  SECRET,
  BODY,
  EVENT,
  signed,
  forged,
  assertError,
  post,
} from "../integrations/harness.mjs";

test("CJS integrations share dist/index.cjs's wasm instance (no second copy bundled)", () => {
  const root = pkgRequire("hookproof");
  for (const name of ["express", "fastify", "hono", "next"]) {
    // Bun takes the "bun" condition (the ES module, as for the root entry) even for require.
    const want = process.versions.bun ? `src/${name}\\.mjs$` : `dist/${name}\\.cjs$`;
    assert.match(pkgRequire.resolve(`hookproof/${name}`), new RegExp(want));
    const source = readFileSync(new URL(`../../pkg/dist/${name}.cjs`, import.meta.url), "utf8");
    assert.match(source, /require\("\.\/index\.cjs"\)/);
    assert.ok(!source.includes("WebAssembly"), `${name}.cjs embeds the wasm glue`);
  }
  // An error thrown by the integration is the root entry's class.
  try {
    expressCjs.webhookMiddleware("");
    assert.fail("expected a throw");
  } catch (e) {
    assert.ok(e instanceof root.WebhookVerificationError);
  }
});

// --- toolchain checks, under the machine's Node only (not re-run by tests/runtimes) -----

const PRIMARY = !process.versions.bun && !process.execPath.includes("node_modules");
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function run(cmd, args, timeoutMs) {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd: ROOT, timeout: timeoutMs, env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } },
      (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

test(
  "the declarations (pkg/{express,hono,next,fastify,redis,durable-object}.d.ts) type-check against the frameworks' and clients' types",
  { skip: !PRIMARY, timeout: 90_000 },
  async () => {
    const deno = `${ROOT}node_modules/.bin/deno`;
    const { code, output } = await run(
      deno,
      ["check", "--quiet", "--import-map", "tests/integrations/import_map.json", "tests/integrations/types.ts"],
      80_000,
    );
    assert.equal(code, 0, output);
  },
);

test(
  "hono on workerd: bundled with esbuild (workerd condition), the .wasm a workerd wasm module",
  { skip: !PRIMARY, timeout: 60_000 },
  async () => {
    const { startWorkerdHono } = await import("../integrations/workerd-hono/serve.mjs");
    const { base, stop } = await startWorkerdHono({ secret: SECRET });
    try {
      const ok = await post(base, "/hook", BODY, signed());
      assert.equal(ok.status, 200, JSON.stringify(ok.json));
      assert.deepEqual(ok.json.event, EVENT);
      const bad = await post(base, "/hook", BODY, forged());
      assertError(bad.status, bad.json, 401, "no_matching_signature");
      const stale = await post(
        base,
        "/hook",
        BODY,
        new Webhook(SECRET, { now: () => Date.now() - 3600_000 }).sign(BODY),
      );
      assertError(stale.status, stale.json, 401, "timestamp_too_old");
      const chunked = await fetch(base + "/small", {
        method: "POST",
        body: new Blob([BODY]).stream(),
        headers: signed(),
        duplex: "half",
        signal: AbortSignal.timeout(5000),
      });
      assertError(chunked.status, await chunked.json(), 413, "body_too_large");
      const calls = await (await fetch(base + "/calls", { signal: AbortSignal.timeout(5000) })).json();
      assert.deepEqual(calls, { handler: 1 });
    } finally {
      stop();
    }
  },
);

test(
  "hono on Deno: hookproof/hono resolved as an npm package from node_modules",
  { skip: !PRIMARY, timeout: 60_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "hookproof-deno-hono-"));
    try {
      mkdirSync(join(dir, "node_modules"));
      symlinkSync(join(ROOT, "pkg"), join(dir, "node_modules/hookproof"), "dir");
      symlinkSync(join(ROOT, "node_modules/hono"), join(dir, "node_modules/hono"), "dir");
      writeFileSync(
        join(dir, "package.json"),
        JSON.stringify({ private: true, dependencies: { hookproof: "*", hono: "*" } }),
      );
      copyFileSync(join(ROOT, "tests/integrations/deno-hono.mjs"), join(dir, "main.mjs"));
      const deno = join(ROOT, "node_modules/.bin/deno");
      const { code, output } = await new Promise((resolve) =>
        execFile(
          deno,
          ["run", "--quiet", "--no-remote", "--node-modules-dir=manual", "--allow-read", "main.mjs"],
          { cwd: dir, timeout: 50_000, env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } },
          (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, output: stdout + stderr }),
        ),
      );
      assert.equal(code, 0, output);
      const [ok, bad, tooLarge, calls] = output
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      assert.deepEqual(ok, { status: 200, body: { event: { type: "ping", n: 1 } } });
      assert.equal(bad.status, 401);
      assert.equal(bad.body.error.code, "no_matching_signature");
      assert.equal(tooLarge.status, 413);
      assert.equal(tooLarge.body.error.code, "body_too_large");
      assert.deepEqual(calls, { calls: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
