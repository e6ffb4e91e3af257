// Entry for browsers: the wasm is fetched and instantiated once, at import (top-level
// await), so the API is synchronous afterwards.
import init from "../gen/hookproof.mjs";

await init({ module_or_path: new URL("../gen/hookproof_bg.wasm", import.meta.url) });

export * from "./api.mjs";
