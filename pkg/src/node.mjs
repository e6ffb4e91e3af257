// ES module entry for Node, Bun and Deno: the wasm is read from the package synchronously.
import { readFileSync } from "node:fs";
import { initSync } from "../gen/hookproof.mjs";

initSync({ module: readFileSync(new URL("../gen/hookproof_bg.wasm", import.meta.url)) });

export * from "./api.mjs";
