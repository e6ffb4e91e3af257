// Entry for browsers: one module, the one with sign and diagnose too (a synchronous API
// cannot fetch a second one later), fetched and instantiated once, at import (top-level
// await), so the API is synchronous afterwards.
import * as full from "../gen/hookproof_tools.mjs";
import { provide } from "./wasm.mjs";

const { memory } = await full.default({
  module_or_path: new URL("../gen/hookproof_tools_bg.wasm", import.meta.url),
});
const wasm = { ...full, memory };
provide(wasm, () => wasm);

export * from "./api.mjs";
