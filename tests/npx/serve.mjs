// `hookproof-sender serve` (the launcher, on PATH from node_modules/.bin) in a folder with
// no checkout: it listens, serves the dashboard and the playground's wasm (built into the
// binary), and stops with exit 0 on SIGTERM sent to the launcher. argv[2]: the
// dashboard.html it must serve byte for byte.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

const expected = readFileSync(process.argv[2]);
const child = spawn("hookproof-sender", ["serve", "--memory", "--addr", "127.0.0.1:0"], {
  stdio: ["ignore", "pipe", "inherit"],
  env: { ...process.env, RUST_LOG: "warn" },
});
const url = await new Promise((resolve, reject) => {
  let out = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (c) => {
    out += c;
    const m = out.match(/listening on (\S+)\n/);
    if (m) resolve(m[1]);
  });
  child.once("exit", (code) => reject(new Error(`serve exited ${code} before listening: ${out}`)));
});
try {
  const home = await fetch(`${url}/`);
  const body = Buffer.from(await home.arrayBuffer());
  if (home.status !== 200 || !body.equals(expected)) throw new Error(`GET / -> ${home.status}, not the dashboard`);
  const wasm = await fetch(`${url}/pkg/gen/hookproof_tools_bg.wasm`);
  if (wasm.status !== 200 || wasm.headers.get("content-type") !== "application/wasm") {
    throw new Error(`the playground's wasm -> ${wasm.status} ${await wasm.text()}`);
  }
  const bytes = new Uint8Array(await wasm.arrayBuffer());
  if (!WebAssembly.validate(bytes)) throw new Error("the playground's wasm does not validate");
} finally {
  child.kill("SIGTERM");
}
const code = await new Promise((resolve) => child.once("exit", (c, s) => resolve(c ?? s)));
if (code !== 0) throw new Error(`serve exited ${code} on SIGTERM (through the launcher), not 0`);
console.log(`served the dashboard and the playground's wasm at ${url}; SIGTERM -> exit 0`);
