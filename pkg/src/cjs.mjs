// Source of dist/index.cjs (bundled by esbuild into CommonJS; __dirname is dist/).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as core from "../gen/hookproof.mjs";
import * as tools from "../gen/hookproof_tools.mjs";
import { provide } from "./wasm.mjs";

function load(bindings, file) {
  const { memory } = bindings.initSync({ module: readFileSync(join(__dirname, "../gen", file)) });
  return { ...bindings, memory };
}

provide(load(core, "hookproof_bg.wasm"), () => load(tools, "hookproof_tools_bg.wasm"));

export * from "./api.mjs";
