// Source of dist/index.cjs (bundled by esbuild into CommonJS; __dirname is dist/).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { initSync } from "../gen/hookproof.mjs";

initSync({ module: readFileSync(join(__dirname, "../gen/hookproof_bg.wasm")) });

export * from "./api.mjs";
