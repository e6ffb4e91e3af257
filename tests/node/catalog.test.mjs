// The sender's event catalog (mock-sender/catalog/): every example payload validates
// against its own JSON Schema, which types every field, and GitHub's against the official
// @octokit/webhooks-schemas.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import Ajv from "ajv";
import addFormats from "ajv-formats";

const require = createRequire(import.meta.url);
const DIR = new URL("../../mock-sender/catalog/", import.meta.url);
const entries = readdirSync(DIR, { recursive: true })
  .filter((f) => f.endsWith(".json") && !f.endsWith("_profile.json"))
  .map((f) => ({ profile: f.split("/")[0], file: f, ...JSON.parse(readFileSync(new URL(f, DIR), "utf8")) }));

test("every profile of the catalog has events, and every event the issue's", () => {
  const names = (p) => entries.filter((e) => e.profile === p).map((e) => e.event_type);
  for (const [p, n] of Object.entries({
    stripe: 10,
    github: 10,
    vercel: 12,
    vector: 6,
    vectorco: 3,
    generic: 9,
    shopify: 5,
    slack: 3,
  })) {
    assert.ok(names(p).length >= n, `${p}: ${names(p)}`);
  }
  assert.ok(names("github").includes("workflow_run"));
  assert.ok(names("shopify").includes("orders/create"));
  assert.ok(names("stripe").includes("customer.subscription.deleted"));
});

test("every example payload validates against its schema", () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const e of entries) {
    const validate = ajv.compile(e.schema);
    assert.ok(validate(e.payload), `${e.file}: ${ajv.errorsText(validate.errors)}`);
    // A schema that accepts anything checks nothing.
    assert.equal(validate({}), false, `${e.file}: the schema accepts {}`);
  }
});

test("every field's schema names its type, and every array's its items", () => {
  // A field typed `{}` accepts anything, and its generated TypeScript type is `unknown`:
  // one the provider may send as null is its type or null (`{"type": ["string", "null"]}`).
  const loose = [];
  const walk = (s, path) => {
    if (Object.keys(s).every((k) => k === "description" || k === "title")) loose.push(path);
    if ([s.type].flat().includes("array") && !s.items) loose.push(`${path}[]`);
    for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, `${path}.${k}`);
    if (s.items) walk(s.items, `${path}[]`);
  };
  for (const e of entries) walk(e.schema, e.file);
  assert.deepEqual(loose, []);
});

test("GitHub's examples validate against @octokit/webhooks-schemas", () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(require("@octokit/webhooks-schemas"), "github");
  const github = entries.filter((e) => e.profile === "github");
  assert.equal(github.length, 10);
  for (const e of github) {
    const name = e.payload.action ? `${e.event_type}$${e.payload.action}` : `${e.event_type}$event`;
    const validate = ajv.getSchema(`github#/definitions/${name}`);
    assert.ok(validate, name);
    assert.ok(validate(e.payload), `${e.file}: ${ajv.errorsText(validate.errors)}`);
  }
});

test("Stripe's examples are full events with Stripe's id prefixes", () => {
  for (const e of entries.filter((e) => e.profile === "stripe")) {
    const p = e.payload;
    assert.match(p.id, /^evt_/, e.file);
    assert.equal(p.object, "event");
    assert.equal(p.type, e.event_type);
    for (const k of ["api_version", "created", "livemode", "pending_webhooks", "request"])
      assert.ok(k in p, `${e.file}: ${k}`);
    const prefix = {
      invoice: "in_",
      payment_intent: "pi_",
      "checkout.session": "cs_",
      customer: "cus_",
      subscription: "sub_",
      charge: "ch_",
    };
    assert.ok(p.data.object.id.startsWith(prefix[p.data.object.object]), `${e.file}: ${p.data.object.id}`);
  }
});
