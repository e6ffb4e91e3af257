// pkg/README.md's typed events snippet (between #region and #endregion), run on catalog
// deliveries signed by the package: `node typed-events.ts` (Node >= 22.18 runs TypeScript).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const VECTOR_SECRET = "whsec_vector_example";
const GITHUB_SECRET = "github example secret";

// #region typed
import { Webhook, typedEvent, type GitHubEvent, type VectorEvent } from "hookproof";

const vector = new Webhook<VectorEvent>(VECTOR_SECRET, { scheme: "vector" });
const github = new Webhook<GitHubEvent>(GITHUB_SECRET, { scheme: "github" });

function onVector(body: string, headers: Headers): string {
  const event = vector.verify(body, headers); // a VectorEvent: narrowing `event` narrows `data`
  switch (event.event) {
    case "vector.deployment.failed":
      return `deployment ${event.data.id} failed: ${event.data.error.message}`;
    case "vector.site.created":
      return `site ${event.data.domain} created`;
    default:
      return event.event;
  }
}

function onGitHub(body: string, headers: Headers): string {
  // GitHub names the event in X-GitHub-Event: typedEvent puts it beside the payload.
  const { type, event } = typedEvent(headers, github.verify(body, headers));
  if (type === "push") return `${event.commits.length} commit(s) to ${event.ref}`;
  if (type === "star") return `star ${event.action}`;
  return type;
}
// #endregion

/** A catalog event's payload, signed as its provider sends it. */
function delivery(wh: Webhook<unknown>, profile: string, file: string, extra: Record<string, string> = {}) {
  const url = new URL(`../mock-sender/catalog/${profile}/${file}.json`, import.meta.url);
  const body = JSON.stringify(JSON.parse(readFileSync(url, "utf8")).payload);
  return [body, new Headers({ ...wh.sign(body), ...extra })] as const;
}

assert.equal(
  onVector(...delivery(vector, "vector", "vector.deployment.failed")),
  "deployment dep_01KBQ3N2F7H5J3K1M9P7Q5S3U1 failed: npm run build exited with code 1",
);
assert.equal(onVector(...delivery(vector, "vector", "vector.site.created")), "site acme-marketing.vector.pro created");
assert.equal(
  onGitHub(...delivery(github, "github", "push", { "x-github-event": "push" })),
  "0 commit(s) to refs/tags/simple-tag",
);
assert.equal(onGitHub(...delivery(github, "github", "star", { "x-github-event": "star" })), "star created");
assert.equal(onGitHub(...delivery(github, "github", "ping", { "x-github-event": "ping" })), "ping");
console.log("typed events: ok");
