// The wasm modules behind api.mjs, handed over by the runtime's entry (node.mjs, cjs.mjs,
// workerd.mjs, browser.mjs): `core`, the verifier (instantiated at import), and the tools
// module, the same crate built with `sign` and `diagnose` too (instantiated on the first
// call that needs it, so a receiver that only verifies never loads it).
let coreBindings;
let loadTools;
let toolsBindings;

/**
 * Called once by the entry: the core module's bindings (its wasm-bindgen exports and its
 * `memory`) and a loader for the tools module's.
 */
export function provide(core, toolsLoader) {
  coreBindings = core;
  loadTools = toolsLoader;
}

export function core() {
  return coreBindings;
}

export function tools() {
  return (toolsBindings ??= loadTools());
}
