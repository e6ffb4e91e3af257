// The wasm modules behind api.mjs, handed over by the runtime's entry (node.mjs, cjs.mjs,
// workerd.mjs, browser.mjs): `core`, the verifier (instantiated at import), and the tools
// module, the same crate built with `sign` and `diagnose` too (instantiated on the first
// call that needs it, so a receiver that only verifies never loads it).
//
// A call that traps (or throws in any way from inside wasm) leaves its instance in an
// unknown state: a lock held, the stack pointer not restored, memory exhausted. That
// instance is dropped at once, the call throws an Error saying so, and the next call
// instantiates the module afresh, so one failure never poisons the calls after it. A
// verifier's handle belongs to one instance: api.mjs compares the bindings it made the
// handle with against `core()` / `tools()` and makes a new one when they differ.

let coreSlot;
let toolsSlot;
let generation = 0;
let hostSlot;

/**
 * Called once by the entry, with two loaders: each instantiates its module afresh and
 * returns the wasm-bindgen exports and the new instance's `memory`. The same loader twice
 * (browsers: one module for both) means one instance for both. `host`: see `host()`.
 */
export function provide(loadCore, loadTools, host) {
  hostSlot = host;
  coreSlot = { load: loadCore, bindings: undefined };
  toolsSlot = loadTools === loadCore ? coreSlot : { load: loadTools, bindings: undefined };
  core();
}

export function core() {
  return coreSlot.bindings ?? instantiate(coreSlot);
}

export function tools() {
  return toolsSlot.bindings ?? instantiate(toolsSlot);
}

/**
 * The runtime's synchronous native HMAC, `{ createHmac, createSecretKey }` from node:crypto,
 * and `minLength`, the body length from which it is used, where the entry has one (Node,
 * Bun, Deno); undefined elsewhere (workerd, browsers).
 */
export function host() {
  return hostSlot;
}

/** The current bindings whose `generation` is `g`, or undefined if they were dropped. */
export function live(g) {
  if (coreSlot.bindings?.generation === g) return coreSlot.bindings;
  if (toolsSlot.bindings?.generation === g) return toolsSlot.bindings;
  return undefined;
}

function instantiate(slot) {
  const exports = slot.load();
  const bindings = { memory: exports.memory, generation: ++generation };
  for (const [name, f] of Object.entries(exports)) {
    if (typeof f !== "function" || name === "default" || name === "initSync" || name.startsWith("__")) continue;
    // Fixed arity (no export takes more than six arguments): no rest parameter or spread
    // on the verify path.
    bindings[name] = (a, b, c, d, x, y) => {
      try {
        return f(a, b, c, d, x, y);
      } catch (e) {
        if (slot.bindings === bindings) slot.bindings = undefined;
        throw new Error(
          `hookproof: the WebAssembly module failed in ${name} (${e}); this call is lost, the next one ` +
            "runs on a new instance of the module",
          { cause: e },
        );
      }
    };
  }
  slot.bindings = bindings;
  return bindings;
}
