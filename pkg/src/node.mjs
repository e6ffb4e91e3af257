// ES module entry for Node, Bun and Deno (and, bundled, dist/index.cjs). The wasm comes
// inlined as base64 (scripts/build-pkg.sh), so a bundler (Next.js, webpack, esbuild)
// needs nothing special. The verify module is instantiated here; the tools module (sign,
// diagnose) on its first use. node:crypto's HMAC is handed over for the MAC of large
// bodies, which it hashes with the CPU's SHA instructions.
import { Buffer } from "node:buffer";
import { createHmac, createSecretKey } from "node:crypto";
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

// node:crypto's HMAC, for bodies from `minLength` bytes (or UTF-16 units) up: where its
// fixed cost per call (an Hmac object, two more wasm calls) becomes less than what its
// SHA instructions save over wasm's SHA-256, as measured in each runtime (docs/perf-log.md):
// ~1 KB in Node 20 and 24, ~2-3 KB in Deno, below 256 B in Bun (whose wasm is slower).
const minLength = globalThis.Bun !== undefined ? 0 : globalThis.Deno !== undefined ? 2560 : 1024;
provide(loader(core, coreWasm), loader(tools, toolsWasm), { createHmac, createSecretKey, minLength });

export * from "./api.mjs";
export * from "./replay.mjs";
export * from "./event-type.mjs";
