// Entry for Cloudflare Workers (workerd): the runtime compiles .wasm imports ahead of time.
import wasmModule from "../gen/hookproof_bg.wasm";
import { initSync } from "../gen/hookproof.mjs";

initSync({ module: wasmModule });

export * from "./api.mjs";
