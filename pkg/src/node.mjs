// ES module entry for Node, Bun and Deno (and, bundled, dist/index.cjs). The wasm comes
// inlined as base64 (scripts/build-pkg.sh), so a bundler (Next.js, webpack, esbuild)
// needs nothing special: the verify module is imported and instantiated here; the tools
// module (sign, diagnose) is required and instantiated on its first use.
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import * as core from "../gen/hookproof.mjs";
import * as tools from "../gen/hookproof_tools.mjs";
import coreWasm from "../gen/hookproof_bg.wasm.mjs";
import { provide } from "./wasm.mjs";

function load(bindings, base64) {
  const { memory } = bindings.initSync({ module: Buffer.from(base64, "base64") });
  return { ...bindings, memory };
}

// In dist/index.cjs, esbuild leaves `import.meta` empty: there, this file is __filename.
const requireHere = createRequire(import.meta.url ?? __filename);

provide(load(core, coreWasm), () => load(tools, requireHere("../gen/hookproof_tools_bg.wasm.cjs")));

export * from "./api.mjs";
