// Run in the scratch project that installed the packed tarball: require("hookproof").
"use strict";
const assert = require("node:assert/strict");
const hookproof = require("hookproof");
const { Webhook, WebhookVerificationError, detectScheme, eventType } = hookproof;
const runtime =
  typeof Deno !== "undefined"
    ? `deno ${Deno.version.deno}`
    : typeof Bun !== "undefined"
      ? `bun ${Bun.version}`
      : `node ${process.version}`;

const path = require.resolve("hookproof");
assert.match(path, /node_modules[\\/]hookproof[\\/]/, `resolved outside node_modules: ${path}`);
assert.equal(require("hookproof/package.json").name, "hookproof");

const secret = "whsec_" + Buffer.from("packed tarball test key").toString("base64");
const body = JSON.stringify({ type: "ping", via: "require" });
const wh = new Webhook(secret);
const headers = wh.sign(body);
assert.deepEqual(wh.verify(body, headers), JSON.parse(body));
assert.equal(detectScheme(headers), "standard");
assert.equal(eventType(headers, wh.verify(body, headers)), JSON.parse(body).type);
const gh = new Webhook("gh secret", { scheme: "github" });
gh.verifySignature(Buffer.from(body), gh.sign(body));
assert.throws(
  () => wh.verify(body, { ...headers, "webhook-signature": "v1," + Buffer.alloc(32).toString("base64") }),
  (e) => e instanceof WebhookVerificationError && e.code === "no_matching_signature",
);
console.log(`pack: require("hookproof") ok under ${runtime} (${path.split(/node_modules[\\/]/).pop()})`);
