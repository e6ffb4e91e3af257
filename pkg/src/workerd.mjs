// Entry for Cloudflare Workers (workerd): the runtime compiles .wasm imports ahead of time;
// the tools module (sign, diagnose) is instantiated on its first use.
import coreModule from "../gen/hookproof_bg.wasm";
import toolsModule from "../gen/hookproof_tools_bg.wasm";
import * as core from "../gen/hookproof.mjs";
import * as tools from "../gen/hookproof_tools.mjs";
import { provide } from "./wasm.mjs";

/** Instantiates the module afresh on each call (wasm.mjs). */
const loader = (glue, module) => () => {
  glue.__hookproofDetach();
  return { ...glue, memory: glue.initSync({ module }).memory };
};

provide(loader(core, coreModule), loader(tools, toolsModule));

export * from "./api.mjs";
export * from "./replay.mjs";
export * from "./event-type.mjs";
