// Runs the READMEs' examples (examples/*) as written: each server on 127.0.0.1 gets a
// delivery signed by the package (accepted: its 2xx), the same delivery tampered with and
// one unsigned (401 {"error": {"code", "message"}}); each script exits 0 (they assert
// what they print); the Next.js route handlers are called with Requests. TypeScript runs
// on Node 24 (type stripping), deno.ts on Deno.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFile } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { Webhook } from "hookproof";
import { ROOT } from "./snippets.mjs";

const run = promisify(execFile);
// Node 24 (run.sh's ensure_node24), which runs TypeScript by stripping its types.
const NODE24 = process.env.NODE24 ?? "node24";
const DENO = join(ROOT, "node_modules/.bin/deno");
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ENV = {
  ...process.env,
  WEBHOOK_SECRET: SECRET,
  STRIPE_WEBHOOK_SECRET: SECRET,
  NO_COLOR: "1",
  DENO_NO_UPDATE_CHECK: "1",
  DENO_NO_PROMPT: "1",
};
const EVENTS = {
  stripe: { id: "evt_1", object: "event", created: 1_700_000_000, data: { object: {} }, type: "invoice.paid" },
  standard: { type: "order.paid", timestamp: "2026-01-01T00:00:00Z", data: { amount: 42 } },
};

function runner(file) {
  if (file.endsWith(".ts") && file.includes("deno")) {
    return [
      DENO,
      [
        "run",
        "--node-modules-dir=manual",
        "--no-remote",
        "--allow-net=127.0.0.1",
        "--allow-env",
        `--allow-read=${ROOT}`,
        file,
      ],
    ];
  }
  return [file.endsWith(".ts") ? NODE24 : process.execPath, [file]];
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor(url, child, output) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}:\n${output()}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`not listening after 20 s:\n${output()}`);
}

async function assertRejected(response, code) {
  assert.equal(response.status, 401);
  const body = await response.json();
  assert.deepEqual(Object.keys(body), ["error"]);
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, "string");
  assert.ok(!body.error.message.includes(SECRET));
}

const SERVERS = [
  { file: "examples/express.mjs", scheme: "stripe", path: "/hooks", status: 204 },
  { file: "examples/express-middleware.mjs", scheme: "standard", path: "/webhooks", status: 204 },
  { file: "examples/express-json.mjs", scheme: "standard", path: "/webhooks", status: 204 },
  { file: "examples/express-typed.ts", scheme: "stripe", path: "/webhooks", status: 200, received: "invoice.paid" },
  { file: "examples/fastify.ts", scheme: "standard", path: "/webhooks", status: 200, received: "order.paid" },
  { file: "examples/stripe.mjs", scheme: "stripe", path: "/stripe", status: 200, json: { received: true } },
  { file: "examples/deno.ts", scheme: "standard", path: "/", status: 204 },
];

for (const { file, scheme, path, status, received, json } of SERVERS) {
  test(`${file}: accepts a signed delivery (${status}), answers 401 to a tampered and an unsigned one`, async () => {
    const port = await freePort();
    const [cmd, args] = runner(file);
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env: { ...ENV, PORT: String(port) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    try {
      const url = `http://127.0.0.1:${port}${path}`;
      await waitFor(url, child, () => out);
      const body = JSON.stringify(EVENTS[scheme]);
      const headers = { "content-type": "application/json", ...new Webhook(SECRET, { scheme }).sign(body) };
      const ok = await fetch(url, { method: "POST", headers, body });
      const answer = await ok.text();
      assert.equal(ok.status, status, `${answer}\n${out}`);
      if (received !== undefined) assert.deepEqual(JSON.parse(answer), { received });
      if (json !== undefined) assert.deepEqual(JSON.parse(answer), json);
      const tampered = body.replace(/"type":"/, '"type":"x');
      await assertRejected(await fetch(url, { method: "POST", headers, body: tampered }), "no_matching_signature");
      await assertRejected(
        await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body }),
        "missing_header",
      );
      assert.ok(!out.includes(SECRET), "the example printed the secret");
    } finally {
      child.kill();
    }
  });
}

for (const file of [
  "examples/verify.mjs",
  "examples/api.mjs",
  "examples/doctor.mjs",
  "examples/dedupe.ts",
  "examples/typed-events.ts",
]) {
  test(`${file} runs and its assertions hold`, async () => {
    const [cmd, args] = runner(file);
    await run(cmd, args, { cwd: ROOT, env: ENV, timeout: 20_000 });
  });
}

test("examples/next: the route handlers answer a signed Request, and 401 to an unsigned one", async () => {
  const routes = (name) => pathToFileURL(join(ROOT, `examples/next/app/api/${name}/route.ts`)).href;
  const body = JSON.stringify(EVENTS.standard);
  const headers = new Webhook(SECRET).sign(body);
  const code = `
    const { POST: hooks } = await import(${JSON.stringify(routes("webhooks"))});
    const { POST: manual } = await import(${JSON.stringify(routes("manual"))});
    const request = (h) => new Request("http://127.0.0.1/api", { method: "POST", headers: h, body: ${JSON.stringify(body)} });
    const answers = [];
    for (const handler of [hooks, manual]) {
      for (const h of [${JSON.stringify(headers)}, {}]) {
        const response = await handler(request(h), { params: Promise.resolve({}) });
        answers.push([response.status, await response.json()]);
      }
    }
    console.log(JSON.stringify(answers));`;
  const { stdout } = await run(NODE24, ["--input-type=module", "-e", code], { cwd: ROOT, env: ENV, timeout: 20_000 });
  const answers = JSON.parse(stdout);
  for (const [i, name] of [
    [0, "withWebhook"],
    [2, "verifyNextRequest"],
  ]) {
    assert.deepEqual(answers[i], [200, { received: "order.paid" }], name);
    assert.equal(answers[i + 1][0], 401, name);
    assert.equal(answers[i + 1][1].error.code, "missing_header", name);
  }
});
