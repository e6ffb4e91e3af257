// Entry for browsers: one module, the one with sign and diagnose too (a synchronous API
// cannot fetch a second one later), fetched and instantiated once, at import (top-level
// await), so the API is synchronous afterwards. After a call that trapped, the compiled
// module is instantiated again (wasm.mjs).
import * as full from "../gen/hookproof_tools.mjs";
import { provide } from "./wasm.mjs";

let first = {
  ...full,
  memory: (await full.default({ module_or_path: new URL("../gen/hookproof_tools_bg.wasm", import.meta.url) })).memory,
};
function load() {
  const bindings = first ?? { ...full, memory: full.initSync({ module: full.__hookproofDetach() }).memory };
  first = undefined;
  return bindings;
}
provide(load, load);

export * from "./api.mjs";
export * from "./replay.mjs";
export * from "./event-type.mjs";
