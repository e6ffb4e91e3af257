// Bundles worker.mjs (Hono + hookproof/hono, resolved through the package's exports map
// with the "workerd" condition) with esbuild into a temporary folder, and serves it with
// workerd on 127.0.0.1 at a port the kernel picks (reported on --control-fd).
// Used by tests/node/integrations-toolchains.test.mjs.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, mkdirSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "../../..");
export const WORKERD = join(ROOT, "node_modules/.bin/workerd");

/** Starts workerd with the bundled worker; resolves to { base, stop }. */
export async function startWorkerdHono({ secret, startupMs = 20_000 }) {
  const { build } = await import("esbuild");
  const dir = mkdtempSync(join(tmpdir(), "hookproof-workerd-hono-"));
  try {
    // `hookproof` resolves to pkg/ as an installed package would (its exports map).
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(join(ROOT, "pkg"), join(dir, "node_modules/hookproof"), "dir");
    await build({
      entryPoints: [join(HERE, "worker.mjs")],
      bundle: true,
      format: "esm",
      platform: "neutral",
      conditions: ["workerd", "worker", "browser"],
      nodePaths: [join(dir, "node_modules"), join(ROOT, "node_modules")],
      // workerd compiles the .wasm module itself: keep the import as written
      // (pkg/src/workerd.mjs: "../gen/hookproof_bg.wasm", "../gen/hookproof_tools_bg.wasm").
      external: ["*.wasm"],
      outfile: join(dir, "worker.mjs"),
      logLevel: "warning",
    });
    for (const wasm of ["hookproof_bg.wasm", "hookproof_tools_bg.wasm"]) {
      copyFileSync(join(ROOT, "pkg/gen", wasm), join(dir, wasm));
    }
    // The bundle is named pkg/src/worker.mjs so that its "../gen/hookproof_bg.wasm" import
    // is the module pkg/gen/hookproof_bg.wasm.
    writeFileSync(
      join(dir, "config.capnp"),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);
const w :Workerd.Worker = (
  modules = [
    (name = "pkg/src/worker.mjs", esModule = embed "worker.mjs"),
    (name = "pkg/gen/hookproof_bg.wasm", wasm = embed "hookproof_bg.wasm"),
    (name = "pkg/gen/hookproof_tools_bg.wasm", wasm = embed "hookproof_tools_bg.wasm"),
  ],
  compatibilityDate = "2025-01-01",
  bindings = [ (name = "WEBHOOK_SECRET", text = ${JSON.stringify(secret)}) ],
);
`,
    );
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  const child = spawn(
    WORKERD,
    ["serve", join(dir, "config.capnp"), "--socket-addr", "http=127.0.0.1:0", "--control-fd", "3"],
    {
      stdio: ["ignore", "inherit", "inherit", "pipe"],
    },
  );
  let exited = false;
  child.on("exit", () => (exited = true));
  const stop = () => {
    if (!exited) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", stop);
  try {
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`workerd did not listen within ${startupMs} ms`)), startupMs);
      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`workerd exited before listening (code ${code}, signal ${signal})`));
      });
      createInterface({ input: child.stdio[3] }).on("line", (line) => {
        try {
          const msg = JSON.parse(line);
          if (msg.event === "listen" && msg.socket === "http") {
            clearTimeout(timer);
            resolve(msg.port);
          }
        } catch {
          // not an event line
        }
      });
    });
    return { base: `http://127.0.0.1:${port}`, stop };
  } catch (e) {
    stop();
    throw e;
  }
}
