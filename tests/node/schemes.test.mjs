// The scheme table that scripts/build-pkg.sh generates from the crate (pkg/gen/schemes.mjs):
// current with the crate, the one the package and the pages read, and in agreement with the
// hand-written type unions of index.d.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Webhook, detectScheme, deliveryId } from "../../pkg/src/node.mjs";
import { ERROR_CODES, SCHEMES, DEFAULT_TOLERANCE_SECONDS, MAX_TIMESTAMP_DIGITS } from "../../pkg/gen/schemes.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

test("pkg/gen/schemes.mjs and its types are what the crate generates now", { timeout: 600_000 }, () => {
  const run = spawnSync(
    "cargo",
    ["run", "--quiet", "-p", "hookproof", "--example", "scheme_table", "--", "--check", "pkg/gen"],
    { cwd: ROOT, encoding: "utf8", timeout: 590_000 },
  );
  assert.equal(run.status, 0, run.stderr);
});

test("the package detects the schemes in the table's order, by its signature headers", () => {
  assert.deepEqual(
    SCHEMES.map((s) => s.name),
    ["standard", "svix", "stripe", "vector", "github", "slack", "shopify", "vercel", "generic"],
  );
  for (const scheme of SCHEMES) {
    assert.equal(detectScheme({ [scheme.headers[0]]: "x" }), scheme.name);
    // Every header a signed delivery carries is one the table names.
    const signed = new Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", { scheme: scheme.name }).sign("{}", {
      id: "msg_1",
      timestamp: 1_700_000_000,
    });
    assert.deepEqual(Object.keys(signed).sort(), [...scheme.headers].sort(), scheme.name);
    if (scheme.id !== null) assert.equal(deliveryId(signed), "msg_1", scheme.name);
    if (scheme.timestamp?.item === null) assert.equal(signed[scheme.timestamp.header], "1700000000");
  }
});

test("the default tolerance and the timestamp digits are the package's", () => {
  const body = "{}";
  const signer = new Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  const headers = signer.sign(body, { timestamp: 1_700_000_000 });
  const at = (seconds) => new Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", { now: () => seconds * 1000 });
  at(1_700_000_000 + DEFAULT_TOLERANCE_SECONDS).verify(body, headers);
  assert.throws(() => at(1_700_000_001 + DEFAULT_TOLERANCE_SECONDS).verify(body, headers), {
    code: "timestamp_too_old",
  });
  const long = { ...headers, "webhook-timestamp": "1".padStart(MAX_TIMESTAMP_DIGITS + 1, "0") };
  assert.throws(() => at(1_700_000_000).verify(body, long), { code: "invalid_timestamp" });
});

/** The string members of `export type NAME = | "a" | "b" ...;` in a .d.ts. */
function union(dts, name) {
  const at = dts.indexOf(`export type ${name} =`);
  assert.notEqual(at, -1, name);
  const code = dts
    .slice(at)
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/.*$/gm, "");
  return [...code.slice(0, code.indexOf(";")).matchAll(/"([a-z0-9_]+)"/g)].map((m) => m[1]);
}

test("index.d.ts and index.d.mts name the table's schemes and error codes", () => {
  const shell = readdirSync(new URL("../../pkg/src/", import.meta.url))
    .map((name) => readFileSync(new URL(`../../pkg/src/${name}`, import.meta.url), "utf8"))
    .join("\n");
  for (const file of ["pkg/index.d.ts", "pkg/index.d.mts"]) {
    const dts = readFileSync(new URL(`../../${file}`, import.meta.url), "utf8");
    if (!dts.includes("export type Scheme =")) continue; // index.d.mts re-exports index.d.ts
    assert.deepEqual(union(dts, "Scheme").sort(), SCHEMES.map((s) => s.name).sort(), file);
    const codes = union(dts, "WebhookErrorCode");
    for (const code of ERROR_CODES) assert.ok(codes.includes(code), `${file} lacks ${code}`);
    // The others are the JS shell's own (ReplayGuard's store): thrown there.
    for (const code of codes.filter((c) => !ERROR_CODES.includes(c))) {
      assert.ok(shell.includes(`"${code}"`), `${file}: ${code} is neither the crate's nor thrown in pkg/src`);
    }
  }
});

test("the table cannot be changed at run time", () => {
  assert.throws(() => SCHEMES[0].headers.push("x"), TypeError);
  assert.throws(() => ERROR_CODES.push("x"), TypeError);
});
