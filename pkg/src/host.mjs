// The MAC of a large body by the runtime's own HMAC (node:crypto in Node, Bun and Deno,
// which hashes with the CPU's SHA instructions that wasm cannot reach), for api.mjs. Only
// the MAC: wasm reads the headers, says which bytes the scheme signs before the body,
// compares these MACs with the header's signatures in constant time and checks the
// timestamp. The keys are the bytes wasm decodes each secret to (`secretKeyBytes`), held
// here only as KeyObjects, which never show their bytes (not in inspect, logs or JSON).

const ALGORITHMS = [undefined, "sha256", "sha1"];

/**
 * The host MAC of a Webhook of `scheme` keyed with `keys` (strings as given, or bytes),
 * with `native` = `{ createHmac, createSecretKey, minLength }` from the entry: the
 * algorithm, the MAC's length and the keys as KeyObjects. `wasm`: the verify module's
 * bindings, which keyed the verifier with the same bytes. Throws what `wasmError(wasm)`
 * makes of a secret wasm cannot decode.
 */
export function hostMac(native, wasm, scheme, keys, wasmError) {
  const algorithm = ALGORITHMS[wasm.schemeMac(scheme)];
  return {
    algorithm,
    tagLen: algorithm === "sha1" ? 20 : 32,
    createHmac: native.createHmac,
    keys: keys.map((key) => {
      if (typeof key !== "string") return native.createSecretKey(key);
      const bytes = wasm.secretKeyBytes(scheme, key);
      if (bytes === undefined) throw wasmError(wasm);
      // The copy out of wasm is zeroed once the KeyObject holds the key.
      try {
        return native.createSecretKey(bytes);
      } finally {
        bytes.fill(0);
      }
    }),
  };
}

/**
 * Writes into `view` from `at` the MAC of `prefix` then `body` by every key (all of them,
 * whichever matches), one after another. `prefix` must not overlap where they go.
 */
export function writeMacs(host, prefix, body, view, at) {
  for (let i = 0; i < host.keys.length; i++) {
    const mac = host.createHmac(host.algorithm, host.keys[i]).update(prefix).update(body).digest();
    view.set(mac, at + i * host.tagLen);
    mac.fill(0);
  }
}
