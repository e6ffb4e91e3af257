// ES module entry for Node, Bun and Deno (and, bundled, dist/index.cjs). The wasm comes
// inlined as base64 (scripts/build-pkg.sh), so a bundler (Next.js, webpack, esbuild)
// needs nothing special. The verify module is instantiated here; the tools module (sign,
// diagnose) on its first use.
import { Buffer } from "node:buffer";
import * as core from "../gen/hookproof.mjs";
import * as tools from "../gen/hookproof_tools.mjs";
import coreWasm from "../gen/hookproof_bg.wasm.mjs";
import toolsWasm from "../gen/hookproof_tools_bg.wasm.mjs";
import { provide } from "./wasm.mjs";

function load(bindings, base64) {
  const { memory } = bindings.initSync({ module: Buffer.from(base64, "base64") });
  return { ...bindings, memory };
}

provide(load(core, coreWasm), () => load(tools, toolsWasm));

export * from "./api.mjs";
