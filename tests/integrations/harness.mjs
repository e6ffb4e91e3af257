// What the integration tests (tests/node/integrations-*.test.mjs) share: the package's
// integrations as its exports map resolves them (ESM and CJS), a key and a signed
// delivery, the error answer's shape, and a loopback server harness.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { readFileSync } from "node:fs";
import { Webhook } from "../../pkg/src/node.mjs";

const PKG_JSON = fileURLToPath(new URL("../../pkg/package.json", import.meta.url));
const PKG = JSON.parse(readFileSync(PKG_JSON, "utf8"));
// require() as the package resolves itself: the "require" condition of its exports map.
export const pkgRequire = createRequire(PKG_JSON);
// import() of each subpath's ESM target, as listed in the exports map.
const importSubpath = (name) =>
  import(pathToFileURL(fileURLToPath(new URL(PKG.exports[`./${name}`].default.default, pathToFileURL(PKG_JSON)))));

export const expressEsm = await importSubpath("express");
export const honoEsm = await importSubpath("hono");
export const nextEsm = await importSubpath("next");
export const fastifyEsm = await importSubpath("fastify");
// (Under Bun, require takes the "bun" condition: the ES modules again, as for the root.)
export const expressCjs = pkgRequire("hookproof/express");
export const fastifyCjs = pkgRequire("hookproof/fastify");
export const honoCjs = pkgRequire("hookproof/hono");
export const nextCjs = pkgRequire("hookproof/next");

export const SECRET = "whsec_" + Buffer.from("hookproof integration test key").toString("base64");
const OTHER = "whsec_" + Buffer.from("somebody else's key").toString("base64");
export const BODY = JSON.stringify({ type: "invoice.paid", data: { id: "in_1", amount: 4200, note: "café ☕" } });
export const EVENT = JSON.parse(BODY);
export const signed = (body = BODY, secret = SECRET) => ({
  "content-type": "application/json",
  ...new Webhook(secret).sign(body),
});
export const forged = (body = BODY) => signed(body, OTHER);

export function assertError(status, json, wantStatus, code) {
  assert.equal(status, wantStatus, JSON.stringify(json));
  assert.equal(json.error.code, code);
  assert.equal(typeof json.error.message, "string");
  assert.ok(json.error.message.length > 0);
}

// JSON of exactly `size` bytes.
export const sized = (size) => JSON.stringify({ pad: "x".repeat(size - '{"pad":""}'.length) });

// --- a tiny loopback server harness -------------------------------------------------

// The servers a file starts; it closes them with `after(closeServers)`.
export const servers = [];
export function closeServers() {
  for (const s of servers.splice(0)) {
    s.closeAllConnections?.();
    s.close();
  }
}

export async function listen(handler) {
  const { createServer } = await import("node:http");
  const server = createServer(handler);
  servers.push(server);
  await new Promise((resolve, reject) => server.listen(0, "127.0.0.1", resolve).on("error", reject));
  return `http://127.0.0.1:${server.address().port}`;
}

export async function post(base, path, body, headers) {
  const res = await fetch(base + path, { method: "POST", body, headers, signal: AbortSignal.timeout(5000) });
  return { status: res.status, json: await res.json() };
}
