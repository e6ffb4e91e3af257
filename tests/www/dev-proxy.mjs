// What the sender will serve, done by a loopback proxy in front of a running sender:
//   /                  -> www/dashboard.html
//   /playground        -> www/index.html
//   /<file> for every file directly in www/ (style.css, dashboard.mjs, playground.mjs, ...)
//   /pkg/src/*, /pkg/gen/*  -> the built package (the playground imports ../pkg/src/browser.mjs)
//   anything else      -> proxied to the sender's API, streamed (so SSE passes through)
// Used by dashboard.test.mjs when HOOKPROOF_WWW_PROXY=1, and by people:
//   node tests/www/dev-proxy.mjs http://127.0.0.1:8787 [port]
import { createServer, request } from "node:http";
import { readFile, readdir } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MIME } from "./static-server.mjs";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");

/**
 * `emulateStream`: answer GET /stream itself, as the sender will (see www/README.md), by
 * polling the sender's GET /logs: one `event: attempt` per new attempt.
 */
function streamFromLogs(api, req, res) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.write(": connected\n\n");
  const seen = new Set();
  let first = true;
  const timer = setInterval(async () => {
    try {
      const logs = (await (await fetch(new URL("/logs?limit=100", api))).json()).data;
      for (const a of logs.reverse()) {
        if (seen.has(a.id)) continue;
        seen.add(a.id);
        if (first) continue;
        const delivery = await (await fetch(new URL(`/deliveries/${a.delivery_id}`, api))).json();
        res.write(
          `event: attempt\ndata: ${JSON.stringify({ ...a, webhook_id: a.webhook_id, status: delivery.status })}\n\n`,
        );
      }
      first = false;
    } catch {
      // the sender went away: the test is ending
    }
  }, 100);
  req.on("close", () => clearInterval(timer));
}

export async function serveWithProxy(apiUrl, port = 0, { emulateStream = false } = {}) {
  const api = new URL(apiUrl);
  const wwwFiles = new Set(await readdir(join(ROOT, "www")));
  const fileFor = (path) => {
    if (path === "/") return join(ROOT, "www", "dashboard.html");
    if (path === "/playground") return join(ROOT, "www", "index.html");
    const name = path.slice(1);
    if (!name.includes("/") && wwwFiles.has(name)) return join(ROOT, "www", name);
    const m = /^\/pkg\/(src|gen)\/([A-Za-z0-9_.-]+)$/.exec(path);
    if (m) return join(ROOT, "pkg", m[1], m[2]);
    return null;
  };
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    const file = req.method === "GET" ? fileFor(path) : null;
    if (file) {
      try {
        const body = await readFile(file);
        res.writeHead(200, {
          "content-type": MIME[extname(file)] ?? "application/octet-stream",
          "cache-control": "no-cache",
        });
        return res.end(body);
      } catch {
        res.writeHead(404);
        return res.end();
      }
    }
    if (emulateStream && req.method === "GET" && path === "/stream") return streamFromLogs(api, req, res);
    const up = request(
      { host: api.hostname, port: api.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode, r.headers);
        r.pipe(res);
      },
    );
    up.on("error", (e) => {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(String(e.message));
    });
    req.pipe(up);
  });
  return new Promise((ok) =>
    server.listen(port, "127.0.0.1", () => ok({ server, url: `http://127.0.0.1:${server.address().port}` })),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url } = await serveWithProxy(process.argv[2] ?? "http://127.0.0.1:8787", Number(process.argv[3] ?? 8788));
  console.log(
    `dashboard ${url}/  playground ${url}/playground  (API proxied to ${process.argv[2] ?? "http://127.0.0.1:8787"})`,
  );
}
