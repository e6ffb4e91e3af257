// Entry for Cloudflare Workers (workerd): the runtime compiles .wasm imports ahead of time;
// the tools module (sign, diagnose) is instantiated on its first use.
import coreModule from "../gen/hookproof_bg.wasm";
import toolsModule from "../gen/hookproof_tools_bg.wasm";
import * as core from "../gen/hookproof.mjs";
import * as tools from "../gen/hookproof_tools.mjs";
import { provide } from "./wasm.mjs";

provide({ ...core, memory: core.initSync({ module: coreModule }).memory }, () => ({
  ...tools,
  memory: tools.initSync({ module: toolsModule }).memory,
}));

export * from "./api.mjs";
