// ES module entry for Node, Bun and Deno: the wasm is read from the package synchronously;
// the tools module (sign, diagnose) on its first use.
import { readFileSync } from "node:fs";
import * as core from "../gen/hookproof.mjs";
import * as tools from "../gen/hookproof_tools.mjs";
import { provide } from "./wasm.mjs";

function load(bindings, file) {
  const { memory } = bindings.initSync({ module: readFileSync(new URL(`../gen/${file}`, import.meta.url)) });
  return { ...bindings, memory };
}

provide(load(core, "hookproof_bg.wasm"), () => load(tools, "hookproof_tools_bg.wasm"));

export * from "./api.mjs";
