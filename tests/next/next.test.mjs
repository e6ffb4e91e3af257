// hookproof/next inside a real Next.js app (run by tests/next/run.sh): the tarball `npm
// pack` makes of pkg/, installed into a scratch app that Next builds (Turbopack, then
// webpack) and serves with `next start` on 127.0.0.1. The package must work there with
// no Next configuration: bundlers carry code, not a .wasm file read from beside it, so
// the Node entry carries its wasm inline.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Webhook } from "../../pkg/src/node.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const NEXT = join(ROOT, "node_modules/next/dist/bin/next");
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const BODY = JSON.stringify({ type: "invoice.paid", data: { id: "in_1", amount: 4200 } });

const FILES = {
  "package.json": JSON.stringify({ name: "next-app", private: true, type: "module" }),
  "next.config.mjs": "export default {};\n",
  "app/layout.js": "export default function Layout({ children }) {\n  return children;\n}\n",
  // withWebhook: the handler sees only verified events.
  "app/api/hook/route.js": `import { withWebhook } from "hookproof/next";
export const POST = withWebhook(async (event) => Response.json({ received: event }), ${JSON.stringify(SECRET)});
`,
  // verifyNextRequest, then sign and diagnose (the tools module, loaded on first use).
  "app/api/check/route.js": `import { verifyNextRequest } from "hookproof/next";
import { Webhook } from "hookproof";
export async function POST(request) {
  const copy = request.clone();
  const result = await verifyNextRequest(request, ${JSON.stringify(SECRET)});
  if (result.ok) return Response.json({ ok: true, event: result.event });
  const wh = new Webhook(${JSON.stringify(SECRET)});
  const report = wh.diagnose(await copy.text(), copy.headers);
  const signed = wh.sign("{}", { id: "msg_next", timestamp: 1700000000 });
  return Response.json({ ok: false, code: result.error.code, report, signed }, { status: result.response.status });
}
`,
};

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url, child, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`next start did not answer within ${ms} ms`);
}

/** The tarball `npm pack` makes of pkg/, unpacked into `app`'s node_modules. */
function installPackage(app) {
  const packDir = mkdtempSync(join(tmpdir(), "hookproof-next-"));
  try {
    const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", packDir], {
      cwd: join(ROOT, "pkg"),
      encoding: "utf8",
    }).trim();
    const into = join(app, "node_modules/hookproof");
    mkdirSync(into, { recursive: true });
    execFileSync("tar", ["-xzf", join(packDir, tarball), "-C", into, "--strip-components=1"]);
  } finally {
    rmSync(packDir, { recursive: true, force: true });
  }
}

/** Writes the app, builds it with `bundler`, serves it; resolves to its base URL. */
async function serveApp(bundler, servers) {
  const app = join(ROOT, `tests/artifacts/next-app-${bundler}`);
  rmSync(app, { recursive: true, force: true });
  for (const [file, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(app, file)), { recursive: true });
    writeFileSync(join(app, file), text);
  }
  installPackage(app);
  const build = bundler === "webpack" ? ["build", "--webpack"] : ["build"];
  execFileSync(process.execPath, [NEXT, ...build], {
    cwd: app,
    stdio: ["ignore", "pipe", "inherit"],
    timeout: 300_000,
  });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, [NEXT, "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: app,
    stdio: ["ignore", "ignore", "inherit"],
  });
  servers.push(server);
  await waitUntilUp(base, server, 30_000);
  return base;
}

const wh = new Webhook(SECRET);
const servers = [];
after(() => servers.forEach((server) => server.kill()));

// Turbopack is `next build`'s default since Next 16; webpack is what older apps build with.
for (const bundler of ["turbopack", "webpack"]) {
  describe(`next build (${bundler}) + next start`, () => {
    let base;
    before(async () => {
      base = await serveApp(bundler, servers);
    });
    const post = async (path, body, headers) => {
      const res = await fetch(base + path, { method: "POST", body, headers, signal: AbortSignal.timeout(10_000) });
      return { status: res.status, json: await res.json() };
    };

    test("withWebhook: a signed delivery reaches the handler; forged, tampered and unsigned get 401", async () => {
      const ok = await post("/api/hook", BODY, wh.sign(BODY));
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.json.received, JSON.parse(BODY));
      const forged = new Webhook("whsec_" + Buffer.alloc(24, 1).toString("base64")).sign(BODY);
      for (const [body, headers, code] of [
        [BODY, forged, "no_matching_signature"],
        [BODY.replace("4200", "1"), wh.sign(BODY), "no_matching_signature"],
        [BODY, { "content-type": "application/json" }, "missing_header"],
      ]) {
        const res = await post("/api/hook", body, headers);
        assert.equal(res.status, 401);
        assert.equal(res.json.error.code, code);
      }
    });

    test("verifyNextRequest, then diagnose and sign inside the route (the tools module)", async () => {
      const ok = await post("/api/check", BODY, wh.sign(BODY));
      assert.deepEqual(ok.json, { ok: true, event: JSON.parse(BODY) });
      // Signed compact, delivered pretty-printed: the doctor names the re-serialization.
      const pretty = JSON.stringify(JSON.parse(BODY), null, 2);
      const bad = await post("/api/check", pretty, wh.sign(BODY));
      assert.equal(bad.status, 401);
      assert.equal(bad.json.code, "no_matching_signature");
      assert.equal(bad.json.report.verified, false);
      assert.ok(
        bad.json.report.findings.some((f) => f.kind === "body_reserialized"),
        JSON.stringify(bad.json.report),
      );
      assert.deepEqual(bad.json.signed, wh.sign("{}", { id: "msg_next", timestamp: 1700000000 }));
    });
  });
}
