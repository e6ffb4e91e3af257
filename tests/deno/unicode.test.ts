// The string properties of tests/properties/strings.mjs under Deno (its own TextEncoder):
// bodies, header values, secrets, sign() and diagnose() with any Unicode content.
// HOOKPROOF_PROPTEST_CASES / HOOKPROOF_PROPTEST_SEED as in tests/node (run.sh allows
// reading just those two variables).
// @ts-types="../../pkg/index.d.ts"
import * as hookproof from "hookproof";
import { properties, settings } from "../properties/strings.mjs";

const run = settings(Deno.env.get("HOOKPROOF_PROPTEST_CASES"), Deno.env.get("HOOKPROOF_PROPTEST_SEED"));
const cases = properties(hookproof, run) as [string, () => Promise<void>][];
for (const [name, fn] of cases) Deno.test(name, fn);
