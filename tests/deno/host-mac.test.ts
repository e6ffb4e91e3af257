// The node:crypto path for large bodies and the wasm path for small ones agree under Deno
// (tests/properties/host-mac.mjs).
// @ts-types="../../pkg/index.d.ts"
import * as hookproof from "hookproof";
import assert from "node:assert/strict";
import { hostMacCases } from "../properties/host-mac.mjs";

for (const [name, fn] of hostMacCases(hookproof, assert) as [string, () => void][]) Deno.test(name, fn);
