// The node:crypto path for large bodies and the wasm path for small ones agree
// (tests/properties/host-mac.mjs). Runs under Node, Node 24 and Bun (tests/runtimes).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as hookproof from "../../pkg/src/node.mjs";
import { hostMacCases } from "../properties/host-mac.mjs";

for (const [name, fn] of hostMacCases(hookproof, assert)) test(name, { timeout: 60_000 }, fn);
