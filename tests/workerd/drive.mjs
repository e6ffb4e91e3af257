// Drives the workerd suite with the machine's Node: starts workerd on 127.0.0.1 with a
// port the kernel picks (reported back on --control-fd), sends deliveries signed with the
// package in Node, checks the Worker's answers, and stops workerd. Bounded in time.
// Usage: node drive.mjs WORKERD_BINARY [PIDFILE]
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { Webhook } from "../../pkg/src/node.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const [workerdBin, pidFile] = process.argv.slice(2);
const STARTUP_MS = 20_000;
const REQUEST_MS = 5_000;
// The string properties' run inside the Worker: HOOKPROOF_PROPTEST_CASES cases each
// (default: the smoke size of tests/properties/strings.mjs), replayable with
// HOOKPROOF_PROPTEST_SEED.
const PROPERTY_CASES = process.env.HOOKPROOF_PROPTEST_CASES;
const PROPERTY_MS = 20_000 + Number(PROPERTY_CASES ?? 0) * 100;
const TOTAL_MS = 45_000 + PROPERTY_MS;

// The same literals as the bindings in config.capnp.
const STANDARD_SECRET = "whsec_aG9va3Byb29mLXdvcmtlcmQtdGVzdC1rZXk=";
const STRIPE_SECRET = "whsec_workerd_stripe_test";
const GITHUB_SECRET = "workerd github test secret";
const OTHER_SECRET = "whsec_" + Buffer.from("some other endpoint's key").toString("base64");
// The Ed25519 secret key (seed) of config.capnp's ED25519_PUBLIC, and another one.
const ED25519_SECRET = "whsk_/YyuGMYXv+hNh+3l8AklpERlqjSVPw1uc0txT7pLZF0=";
const OTHER_ED25519_SECRET = "whsk_" + Buffer.alloc(32, 7).toString("base64");

const child = spawn(
  workerdBin,
  ["serve", join(HERE, "config.capnp"), "--socket-addr", "http=127.0.0.1:0", "--control-fd", "3"],
  { stdio: ["ignore", "inherit", "inherit", "pipe"] },
);
if (pidFile) writeFileSync(pidFile, String(child.pid));
let exited = false;
child.on("exit", (code, signal) => {
  exited = true;
  if (pidFile) writeFileSync(pidFile, ""); // reaped: nothing left for run.sh to stop
  if (!stopping) console.error(`workerd exited early (code ${code}, signal ${signal})`);
});
let stopping = false;
function stop() {
  stopping = true;
  if (!exited) child.kill("SIGKILL");
}
process.on("exit", stop);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(1));
setTimeout(() => {
  console.error(`workerd: suite exceeded ${TOTAL_MS} ms`);
  process.exit(1);
}, TOTAL_MS).unref();

// workerd writes one JSON line per event on the control fd: {"event":"listen","socket":"http","port":N}.
const port = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`workerd did not listen within ${STARTUP_MS} ms`)), STARTUP_MS);
  child.on("exit", () => reject(new Error("workerd exited before listening")));
  createInterface({ input: child.stdio[3] }).on("line", (line) => {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      return;
    }
    if (msg.event === "listen" && msg.socket === "http") {
      clearTimeout(timer);
      resolve(msg.port);
    }
  });
}).catch((e) => {
  console.error(`workerd: ${e.message}`);
  process.exit(1);
});
const base = `http://127.0.0.1:${port}/`;
console.error(`workerd listening on ${base}`);

async function post(path, body, headers) {
  const res = await fetch(base + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
    signal: AbortSignal.timeout(REQUEST_MS),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = { unparsed: text };
  }
  return { status: res.status, json };
}

const now = () => Math.floor(Date.now() / 1000);
const event = { type: "invoice.paid", id: "evt_workerd", data: { amount: 1299, note: "héllo ✓" } };
const body = JSON.stringify(event);
const big = JSON.stringify({ type: "bulk", items: Array.from({ length: 5000 }, (_, i) => ({ i, s: "x".repeat(40) })) });
const standard = new Webhook(STANDARD_SECRET);

const cases = [
  [
    "ed25519: v1a signed with the whsk_ key -> 200 with the event (verified with its whpk_ key)",
    async () => {
      const r = await post("ed25519?scheme=standard", body, new Webhook(ED25519_SECRET).sign(body));
      expect(r.status === 200 && deepEqual(r.json.event, event), r);
    },
  ],
  [
    "ed25519: v1a signed with another key -> 401 no_matching_signature",
    async () => {
      const r = await post("ed25519?scheme=standard", body, new Webhook(OTHER_ED25519_SECRET).sign(body));
      expect(r.status === 401 && r.json.error === "no_matching_signature", r);
    },
  ],
  [
    "ed25519: only a v1 (HMAC) signature -> 401 invalid_header",
    async () => {
      const r = await post("ed25519?scheme=standard", body, standard.sign(body));
      expect(r.status === 401 && r.json.error === "invalid_header", r);
    },
  ],
  [
    "standard: correctly signed -> 200 with the event, named by eventType",
    async () => {
      const r = await post("?scheme=standard", body, standard.sign(body));
      expect(r.status === 200 && deepEqual(r.json.event, event) && r.json.type === "invoice.paid", r);
    },
  ],
  [
    "standard: forged (another secret) -> 401 no_matching_signature",
    async () => {
      const r = await post("?scheme=standard", body, new Webhook(OTHER_SECRET).sign(body));
      expect(r.status === 401 && r.json.error === "no_matching_signature", r);
    },
  ],
  [
    "standard: tampered body -> 401 no_matching_signature",
    async () => {
      const r = await post("?scheme=standard", body.replace("1299", "9999"), standard.sign(body));
      expect(r.status === 401 && r.json.error === "no_matching_signature", r);
    },
  ],
  [
    "standard: stale (1 h old) -> 401 timestamp_too_old",
    async () => {
      const r = await post("?scheme=standard", body, standard.sign(body, { timestamp: now() - 3600 }));
      expect(r.status === 401 && r.json.error === "timestamp_too_old", r);
    },
  ],
  [
    "standard: from the future (1 h ahead) -> 401 timestamp_too_new",
    async () => {
      const r = await post("?scheme=standard", body, standard.sign(body, { timestamp: now() + 3600 }));
      expect(r.status === 401 && r.json.error === "timestamp_too_new", r);
    },
  ],
  [
    "standard: no signature headers -> 401 missing_header",
    async () => {
      const r = await post("?scheme=standard", body, {});
      expect(r.status === 401 && r.json.error === "missing_header", r);
    },
  ],
  [
    "standard: 200 KiB body -> 200",
    async () => {
      const r = await post("?scheme=standard", big, standard.sign(big));
      expect(r.status === 200 && r.json.event.items.length === 5000, r.status === 200 ? { status: r.status } : r);
    },
  ],
  [
    "standard: over verifyRequest's 1 MiB default, chunked (no Content-Length) -> body_too_large",
    async () => {
      const huge = JSON.stringify({ pad: "x".repeat(1024 * 1024) });
      const res = await fetch(base + "?scheme=standard", {
        method: "POST",
        headers: standard.sign(huge),
        body: new Blob([huge]).stream(),
        duplex: "half",
        signal: AbortSignal.timeout(REQUEST_MS),
      });
      const r = { status: res.status, json: await res.json() };
      expect(r.status === 401 && r.json.error === "body_too_large", r);
    },
  ],
  [
    "stripe: correctly signed -> 200, tampered -> 401",
    async () => {
      const headers = new Webhook(STRIPE_SECRET, { scheme: "stripe" }).sign(body);
      const ok = await post("?scheme=stripe", body, headers);
      expect(ok.status === 200 && deepEqual(ok.json.event, event), ok);
      const bad = await post("?scheme=stripe", body + " ", headers);
      expect(bad.status === 401 && bad.json.error === "no_matching_signature", bad);
    },
  ],
  [
    "github: scheme detected from the headers -> 200",
    async () => {
      const r = await post("", body, new Webhook(GITHUB_SECRET, { scheme: "github" }).sign(body));
      expect(r.status === 200 && r.json.scheme === "github" && deepEqual(r.json.event, event), r);
    },
  ],
  [
    "doctor and sign inside the Worker (the tools module, loaded on first use)",
    async () => {
      const forged = await post("doctor?scheme=standard", body, new Webhook(OTHER_SECRET).sign(body));
      expect(forged.status === 200 && forged.json.report.verified === false, forged);
      expect(forged.json.report.code === "no_matching_signature", forged);
      const good = await post("doctor?scheme=standard", body, standard.sign(body));
      expect(good.json.report.verified === true, good);
      // What the Worker signed verifies here, and at the Worker's verify route.
      const signed = good.json.signed;
      expect(deepEqual(standard.verify(body, signed), event), signed);
      const r = await post("?scheme=standard", body, signed);
      expect(r.status === 200 && deepEqual(r.json.event, event), r);
    },
  ],
  [
    "string properties inside the Worker (workerd's TextEncoder): bodies, header values, secrets, sign, diagnose",
    async () => {
      const query = new URLSearchParams();
      if (PROPERTY_CASES) query.set("cases", PROPERTY_CASES);
      if (process.env.HOOKPROOF_PROPTEST_SEED) query.set("seed", process.env.HOOKPROOF_PROPTEST_SEED);
      const res = await fetch(`${base}properties?${query}`, {
        method: "POST",
        signal: AbortSignal.timeout(PROPERTY_MS),
      });
      const { results } = await res.json();
      const failed = results.filter((r) => !r.ok);
      expect(
        res.status === 200 && results.length === 5 && failed.length === 0,
        failed.length ? failed : { status: res.status, results },
      );
    },
  ],
  [
    "GET -> 405",
    async () => {
      const res = await fetch(base, { signal: AbortSignal.timeout(REQUEST_MS) });
      await res.arrayBuffer();
      expect(res.status === 405, { status: res.status });
    },
  ],
];

function deepEqual(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}
function expect(ok, got) {
  if (!ok) throw new Error(`unexpected answer: ${JSON.stringify(got).slice(0, 500)}`);
}

let passed = 0;
let failed = 0;
for (const [name, fn] of cases) {
  try {
    await fn();
    passed++;
    console.error(`  ok   ${name}`);
  } catch (e) {
    failed++;
    console.error(`  FAIL ${name}: ${e.message}`);
  }
}
if (exited) {
  failed++;
  console.error("  FAIL workerd was not running at the end");
}
stop();
// Reap it before leaving (bounded): no zombie outlives the suite.
if (!exited) await new Promise((r) => (child.on("exit", r), setTimeout(r, 3000).unref()));
console.log(`workerd: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
