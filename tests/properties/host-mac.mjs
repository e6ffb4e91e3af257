// Where the runtime has node:crypto (Node, Bun, Deno), a body from a measured length up
// (pkg/src/node.mjs: 1024 in Node, 2560 in Deno, 0 in Bun) is hashed by node:crypto, a
// smaller one by wasm (pkg/src/api.mjs). These cases
// check that both paths say the same of every request: for every scheme (SHA-1 vercel
// included), one key and a rotation of two (signed by either), string and byte bodies on
// both sides of the crossover, valid and broken requests, `verify` answers exactly as
// `diagnose` does (the tools module: wasm hashes every body there). Shared by
// tests/node/host-mac.test.mjs and tests/deno/host-mac.test.ts.

export const SCHEMES = ["standard", "svix", "stripe", "vector", "github", "vercel", "slack", "shopify", "generic"];
// Both sides of each runtime's crossover, and a body far past them.
export const SIZES = [64, 1023, 1024, 2559, 2560, 8_000];
const NOW = 1_700_000_000_000;
const SECRETS = ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_c2Vjb25kIHNlY3JldCBrZXk="];
const KEY_BYTES = new TextEncoder().encode("raw key bytes, given as a Uint8Array");

/** A JSON body of `size` UTF-16 units; `text`: with non-ASCII (and one lone surrogate). */
export function body(size, text = false) {
  const head = text ? '{"t":"é€😀\uD800","p":"' : '{"p":"';
  return head + "x".repeat(size - head.length - 2) + '"}';
}

/** The body in each form a receiver may hold it. */
function forms(str) {
  const bytes = new TextEncoder().encode(str);
  return {
    string: str,
    Uint8Array: bytes,
    ArrayBuffer: bytes.slice().buffer,
    DataView: new DataView(bytes.slice().buffer),
  };
}

function outcome(fn) {
  try {
    fn();
    return { verified: true, code: null, message: null };
  } catch (e) {
    if (e?.name !== "WebhookVerificationError") throw e;
    return { verified: false, code: e.code, message: e.message };
  }
}

/** [name, fn] pairs; `assert` is node:assert/strict. */
export function hostMacCases({ Webhook }, assert) {
  const cases = [];
  for (const scheme of SCHEMES) {
    cases.push([
      `${scheme}: verify on both sides of the crossover answers as diagnose does`,
      () => {
        const keyings = [
          { keys: [SECRETS[0]], signer: SECRETS[0] },
          { keys: SECRETS, signer: SECRETS[1] },
          { keys: [KEY_BYTES, SECRETS[1]], signer: KEY_BYTES },
        ];
        for (const { keys, signer } of keyings) {
          const wh = new Webhook(keys, { scheme, now: () => NOW });
          const late = new Webhook(keys, { scheme, now: () => NOW + 3_600_000 });
          const other = new Webhook("whsec_b3RoZXIgc2VjcmV0", { scheme, now: () => NOW });
          for (const size of SIZES) {
            // Non-ASCII text on each side of the crossovers (fewer sizes: diagnose is slow).
            for (const text of [64, 1024, 2560].includes(size) ? [false, true] : [false]) {
              const str = body(size, text);
              const headers = new Webhook(signer, { scheme, now: () => NOW }).sign(str, { id: "msg_1" });
              const wrongKey = other.sign(str, { id: "msg_1" });
              const tampered = str.slice(0, -3) + 'y"}';
              const requests = [
                ["valid", str, headers, wh],
                ["tampered", tampered, headers, wh],
                ["another key's signature", str, wrongKey, wh],
                ["an hour late", str, headers, late],
                ["no headers", str, {}, wh],
              ];
              for (const [what, text2, hdrs, verifier] of requests) {
                // Every form of the body for the valid request, two for a tampered one.
                const all = Object.entries(forms(text2));
                const some = what === "valid" ? all : what === "tampered" ? all.slice(0, 2) : all.slice(0, 1);
                for (const [form, b] of some) {
                  const where = `${scheme}, ${keys.length} key(s), ${size}${text ? " non-ASCII" : ""}, ${form}, ${what}`;
                  const got = outcome(() => verifier.verify(b, hdrs));
                  const { verified, code, message } = verifier.diagnose(b, hdrs);
                  assert.deepEqual(got, { verified, code, message }, where);
                  assert.equal(
                    got.verified,
                    what === "valid" || (what === "an hour late" && !timestamped(scheme)),
                    where,
                  );
                }
              }
            }
          }
        }
      },
    ]);
  }
  cases.push([
    "a header string (stripe-node's form) and headers in a Map are read alike by both paths",
    () => {
      for (const size of SIZES) {
        const str = body(size);
        const wh = new Webhook(SECRETS[0], { scheme: "stripe", now: () => NOW });
        const headers = wh.sign(str);
        assert.deepEqual(wh.verify(str, headers["stripe-signature"]), JSON.parse(str));
        assert.deepEqual(wh.verify(str, new Map(Object.entries(headers))), JSON.parse(str));
        assert.throws(() => wh.verify(str, "t=1,v1=00"), { code: "no_matching_signature" });
      }
    },
  ]);
  return cases;
}

function timestamped(scheme) {
  return ["standard", "svix", "stripe", "vector", "slack"].includes(scheme);
}
