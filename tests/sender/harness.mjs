// What the sender's JS suites share: the binary (HOOKPROOF_SENDER, else the debug build),
// a loopback receiver that records every request by path, and `serve` started on
// 127.0.0.1:0 with a client of its API.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { once } from "node:events";

export const BIN =
  process.env.HOOKPROOF_SENDER ?? new URL("../../target/debug/hookproof-sender", import.meta.url).pathname;

/**
 * A receiver on 127.0.0.1:0: `hits` maps each path to its requests (`{headers, body}`),
 * and `status(list)` picks each answer from the path's requests so far (204 by default).
 */
export async function startReceiver(status = () => 204) {
  const hits = new Map();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const list = hits.get(req.url) ?? [];
      list.push({ headers: req.headers, body: Buffer.concat(chunks) });
      hits.set(req.url, list);
      res.writeHead(status(list)).end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { base: `http://127.0.0.1:${server.address().port}`, hits, close: () => server.close() };
}

/**
 * `hookproof-sender serve --addr 127.0.0.1:0 --memory ...args`, once it has announced its
 * address: `call(method, path, body)` answers the `data` of an API call (a string body
 * is sent as it is) and asserts it succeeded; `stop()` kills it.
 */
export async function startSender(args = []) {
  const child = spawn(BIN, ["serve", "--addr", "127.0.0.1:0", "--memory", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, RUST_LOG: "warn" },
  });
  child.stdout.setEncoding("utf8");
  let out = "";
  while (!out.includes("\n")) {
    const [chunk] = await once(child.stdout, "data");
    out += chunk;
  }
  const api = out.match(/listening on (http:\/\/\S+)/)[1];
  async function call(method, path, body) {
    const res = await fetch(api + path, {
      method,
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : body && JSON.stringify(body),
    });
    const json = await res.json();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json.data;
  }
  return { api, call, stop: () => child.kill() };
}
