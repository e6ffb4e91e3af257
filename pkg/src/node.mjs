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

/** Instantiates the module afresh on each call (wasm.mjs), compiling it on the first. */
function loader(glue, base64) {
  let module;
  return () => {
    module ??= new WebAssembly.Module(Buffer.from(base64, "base64"));
    glue.__hookproofDetach();
    return { ...glue, memory: glue.initSync({ module }).memory };
  };
}

provide(loader(core, coreWasm), loader(tools, toolsWasm));

export * from "./api.mjs";
export * from "./replay.mjs";
