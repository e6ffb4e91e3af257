// Writes pkg/catalog.d.ts, the npm package's types of the sender's event catalog
// (mock-sender/catalog/): one interface per event, made from its JSON Schema by
// json-schema-to-typescript, and one map per profile from event name to payload. GitHub's
// and Stripe's events are not made here: pkg/events.d.ts takes their providers' own types
// (and the Standard Webhooks envelope of their events refers to those).
//   node scripts/event-types.mjs           write pkg/catalog.d.ts
//   node scripts/event-types.mjs --check   write nothing; fail when it is not current
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { compile } from "json-schema-to-typescript";
import * as prettier from "prettier";

const ROOT = new URL("../", import.meta.url);
const CATALOG = new URL("mock-sender/catalog/", ROOT);
const OUT = new URL("pkg/catalog.d.ts", ROOT);

/** Profiles typed by their provider's own package, not by the catalog. */
const OFFICIAL = new Set(["github", "stripe"]);
/** How a profile is spelled in type names, where plain capitalisation would not do. */
const SPELLING = { vectorco: "VectorCo", github: "GitHub" };

const pascal = (s) =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join("");
const typeName = (profile) => SPELLING[profile] ?? pascal(profile);
const readJson = (url) => JSON.parse(readFileSync(url, "utf8"));

/** Every profile: its _profile.json and its events, in file name order. */
function load() {
  const profiles = new Map();
  for (const dir of readdirSync(CATALOG, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    const at = new URL(`${dir.name}/`, CATALOG);
    const files = readdirSync(at)
      .filter((f) => f.endsWith(".json") && f !== "_profile.json")
      .sort();
    profiles.set(dir.name, {
      ...readJson(new URL("_profile.json", at)),
      events: files.map((f) => readJson(new URL(f, at))),
    });
  }
  return profiles;
}

/**
 * The events of a profile that envelops others' (standard, svix), as the sender makes them
 * (mock-sender/src/catalog/mod.rs): in `envelops` order, the first profile with an event
 * name gives its data, in `{type, timestamp, data}`. Each is written as that envelope
 * around the source's own type, at the source profile's data path; GitHub's and Stripe's
 * maps are events.d.ts's, imported.
 */
function enveloped(profiles, profile) {
  const events = new Map();
  for (const source of profile.envelops) {
    const from = profiles.get(source);
    if (!from) throw new Error(`envelops ${source}: no such profile`);
    const keys = from.data ? from.data.split(".") : [];
    for (const { event_type: event, schema } of from.events) {
      if (events.has(event)) continue;
      // An event without the data path gives its whole payload.
      const has = keys.reduce((s, k) => s?.properties?.[k], schema) !== undefined;
      const path = has ? keys.map((k) => `[${JSON.stringify(k)}]`) : [];
      const data = `${typeName(source)}EventMap[${JSON.stringify(event)}]${path.join("")}`;
      const imports = ["StandardEnvelope", ...(OFFICIAL.has(source) ? [`${typeName(source)}EventMap`] : [])];
      events.set(event, { event_type: event, ts: `StandardEnvelope<${JSON.stringify(event)}, ${data}>`, imports });
    }
  }
  return [...events.values()];
}

async function generate() {
  const profiles = load();
  const parts = [];
  const imports = new Set();
  const seen = new Map(); // envelops list -> the map type that already has those events
  for (const [name, profile] of [...profiles].sort(([a], [b]) => a.localeCompare(b))) {
    if (OFFICIAL.has(name)) continue;
    const prefix = typeName(name);
    const map = `${prefix}EventMap`;
    const about = `/** ${profile.description.replace(/\*\//g, "*\\/")} Each event's name, and its payload. */`;
    if (profile.envelops?.length) {
      const key = profile.envelops.join(",");
      if (seen.has(key)) {
        parts.push(`${about}\nexport type ${map} = ${seen.get(key)};`);
        continue;
      }
      seen.set(key, map);
    }
    const events = profile.envelops?.length ? enveloped(profiles, profile) : profile.events;
    if (events.length === 0) continue;
    const members = [];
    for (const e of events) {
      if (e.ts) {
        members.push(`  ${JSON.stringify(e.event_type)}: ${e.ts};`);
        for (const name of e.imports) imports.add(name);
        continue;
      }
      const event = e.event_type.toLowerCase().startsWith(name) ? pascal(e.event_type) : prefix + pascal(e.event_type);
      const type = `${event}Event`;
      const schema = { ...structuredClone(e.schema), title: type, description: e.description };
      delete schema.$schema;
      const ts = await compile(schema, type, {
        bannerComment: "",
        additionalProperties: false,
        format: false,
        strictIndexSignatures: true,
      });
      parts.push(ts.trim());
      members.push(`  ${JSON.stringify(e.event_type)}: ${type};`);
    }
    parts.push([about, `export interface ${map} {`, ...members, "}"].join("\n"));
  }
  const head = [
    "// Generated by scripts/event-types.mjs from mock-sender/catalog/ (its JSON Schemas): do not edit;",
    "// run `node scripts/event-types.mjs` after changing the catalog. pkg/events.d.ts makes each",
    "// map below a union (VectorEvent, ...) and adds GitHub's and Stripe's from their own packages.",
    `import type { ${[...imports].sort().join(", ")} } from "./events.js";`,
  ].join("\n");
  const text = [head, ...parts].join("\n\n") + "\n";
  const options = await prettier.resolveConfig(OUT.pathname);
  return prettier.format(text, { ...options, parser: "typescript" });
}

const text = await generate();
if (process.argv.includes("--check")) {
  if (!existsSync(OUT) || readFileSync(OUT, "utf8") !== text) {
    console.error("pkg/catalog.d.ts is not current: run `node scripts/event-types.mjs`");
    process.exit(1);
  }
  console.log("pkg/catalog.d.ts is current");
} else {
  writeFileSync(OUT, text);
  console.log(`wrote pkg/catalog.d.ts (${text.length} bytes)`);
}
