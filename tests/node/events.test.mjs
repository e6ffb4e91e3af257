// Typed events: eventType names every catalog event of every profile (ESM and CommonJS),
// pkg/catalog.d.ts is what scripts/event-types.mjs makes from the catalog now, and tsc
// proves the types of tests/types/ (narrowing on the name types the payload; a
// Webhook<E> verifies to E) and of tests/types/untyped/ (an app that declares no type).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Webhook, eventType, typedEvent } from "../../pkg/src/node.mjs";

const require = createRequire(import.meta.url);
const cjs = require("../../pkg/dist/index.cjs");
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PRIMARY = !process.versions.bun && !process.execPath.includes("node_modules");

const DIR = new URL("../../mock-sender/catalog/", import.meta.url);
const readJson = (url) => JSON.parse(readFileSync(url, "utf8"));
const profiles = new Map(
  readdirSync(DIR).map((p) => [
    p,
    {
      ...readJson(new URL(`${p}/_profile.json`, DIR)),
      events: readdirSync(new URL(`${p}/`, DIR))
        .filter((f) => f !== "_profile.json")
        .map((f) => readJson(new URL(`${p}/${f}`, DIR))),
    },
  ]),
);

/** A profile's headers as the sender sends them for `event` (its placeholders filled). */
function headersOf(profile, event) {
  return Object.fromEntries(
    Object.entries(profile.headers).map(([k, v]) => [k, v.replace("{event}", event).replace(/\{\w+\}/g, "1")]),
  );
}

/** Every (profile, event, headers, payload) the sender sends, standard's and svix's included. */
function deliveries() {
  const out = [];
  for (const [name, p] of profiles) {
    for (const e of p.events)
      out.push({ profile: name, event: e.event_type, headers: headersOf(p, e.event_type), payload: e.payload });
    for (const source of p.envelops ?? []) {
      for (const e of profiles.get(source).events) {
        const payload = { type: e.event_type, timestamp: "2025-12-05T14:30:00.000Z", data: {} };
        out.push({ profile: name, event: e.event_type, headers: headersOf(p, e.event_type), payload });
      }
    }
  }
  return out;
}

test("eventType names every catalog event of every profile, in ESM and CommonJS", () => {
  const all = deliveries();
  const seen = new Set(all.map((d) => d.profile));
  for (const p of [
    "stripe",
    "github",
    "vercel",
    "vector",
    "vectorco",
    "generic",
    "shopify",
    "slack",
    "standard",
    "svix",
  ]) {
    assert.ok(seen.has(p), `no deliveries for ${p}`);
  }
  for (const { profile, event, headers, payload } of all) {
    const body = JSON.parse(JSON.stringify(payload));
    assert.equal(eventType(headers, body), event, `${profile} ${event}`);
    assert.equal(cjs.eventType(new Headers(headers), body), event, `${profile} ${event} (CommonJS, Headers)`);
    assert.deepEqual(typedEvent(new Map(Object.entries(headers)), body), { type: event, event: body });
  }
});

test("GitHub's and Shopify's names come from their headers, in any case; Slack's event_callback from event.type", () => {
  assert.equal(eventType({ "X-GitHub-Event": "push" }, {}), "push");
  assert.equal(eventType(new Headers({ "x-shopify-topic": "orders/paid" }), { id: 1 }), "orders/paid");
  // The header wins over a payload's own fields (a GitHub payload may hold a `type`).
  assert.equal(eventType({ "x-github-event": "issues" }, { type: "Bot", action: "opened" }), "issues");
  const slack = { type: "event_callback", event: { type: "app_mention" } };
  assert.equal(eventType({}, slack), "app_mention");
  assert.equal(eventType({}, { type: "url_verification", challenge: "c" }), "url_verification");
  assert.equal(eventType({}, { event: "contact.visited" }), "contact.visited");
});

test("eventType is null where nothing names the event, and refuses what is not headers", () => {
  for (const event of [null, undefined, 1, "push", [], {}, { type: 1 }, { event: {} }]) {
    assert.equal(eventType({}, event), null, JSON.stringify(event));
  }
  assert.equal(eventType({ "x-github-event": "" }, {}), null);
  assert.throws(() => eventType(null, {}), { code: "missing_header" });
});

test("a verified delivery's event is named: sign, verify, eventType", () => {
  const wh = new Webhook("a github secret", { scheme: "github" });
  const body = JSON.stringify(profiles.get("github").events.find((e) => e.event_type === "push").payload);
  const headers = { ...wh.sign(body), "x-github-event": "push" };
  assert.equal(eventType(headers, wh.verify(body, headers)), "push");
});

function run(cmd, args, timeoutMs) {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: ROOT, timeout: timeoutMs }, (err, stdout, stderr) =>
      resolve({ code: err ? (err.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

test("pkg/catalog.d.ts is what scripts/event-types.mjs makes from the catalog now", { skip: !PRIMARY }, async () => {
  const { code, output } = await run(process.execPath, ["scripts/event-types.mjs", "--check"], 60_000);
  assert.equal(code, 0, output);
});

// Each a tsc project: an app's declaration of its event type applies to all tsc compiles
// together, so the app that declares none is a project of its own.
for (const [name, project] of [
  ["narrowing on the event name types the payload, Webhook<E>.verify returns E", "tests/types"],
  ["without a declared event type, Express's req.webhook is unknown and replayKey's event any", "tests/types/untyped"],
]) {
  test(`tsc: ${name}`, { skip: !PRIMARY, timeout: 120_000 }, async () => {
    const { code, output } = await run(process.execPath, ["node_modules/typescript/bin/tsc", "-p", project], 110_000);
    assert.equal(code, 0, output);
  });
}
