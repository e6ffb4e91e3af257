// Property tests for every place a JS string crosses into wasm: bodies, header values,
// secrets, sign() and diagnose(). Runtime-agnostic (WebCrypto is the oracle, no node:
// imports), so the same properties run in Node and Bun (tests/node/unicode.test.mjs),
// Deno (tests/deno/unicode.test.ts) and workerd (tests/workerd, POST /properties): each
// runtime has its own TextEncoder.
//
// Random strings draw from every Unicode plane, lone surrogates included (TextEncoder and
// the providers' libraries encode one as U+FFFD, and so does the oracle), 0 to 70 KB long.
// HOOKPROOF_PROPTEST_CASES sets the cases per property (default SMOKE_CASES, seconds);
// HOOKPROOF_PROPTEST_SEED replays a run (every failure names its seed and case).

export const SMOKE_CASES = 40;
export const SCHEMES = ["standard", "svix", "stripe", "vector", "github", "vercel", "slack", "shopify", "generic"];
// Schemes whose secret string's UTF-8 bytes are the key (standard and svix decode whsec_).
const UTF8_KEY_SCHEMES = SCHEMES.filter((s) => s !== "standard" && s !== "svix");
const NOW = 1_700_000_000;
const clock = () => NOW * 1000;
const utf8 = new TextEncoder();
const MAX_UNITS = 70 * 1024;

/** The run's settings from environment-like values (strings or undefined). */
export function settings(cases, seed) {
  const n = Number(cases ?? SMOKE_CASES);
  const s = seed === undefined || seed === "" ? Math.floor(Math.random() * 2 ** 32) : Number(seed);
  if (!(Number.isInteger(n) && n > 0) || !(Number.isInteger(s) && s >= 0)) {
    throw new Error(`HOOKPROOF_PROPTEST_CASES must be a whole number > 0 and HOOKPROOF_PROPTEST_SEED one >= 0`);
  }
  return { cases: n, seed: s >>> 0 };
}

/** A seeded generator (sfc32): `next()` in [0, 1). */
export function random(seed) {
  let a = 0x9e3779b9,
    b = 0x243f6a88,
    c = 0xb7e15162,
    d = seed >>> 0;
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)); // inclusive
  return { next, int, pick: (list) => list[int(0, list.length - 1)] };
}

// One UTF-16 string per class: 1-byte, 2-byte, 3-byte, 4-byte (a pair) UTF-8, and lone
// surrogates (3 bytes each once encoded, as U+FFFD).
const CLASSES = [
  (r) => String.fromCharCode(r.int(0, 0x7f)),
  (r) => String.fromCharCode(r.int(0x80, 0x7ff)),
  (r) => {
    const c = r.int(0x800, 0xffff - 0x800);
    return String.fromCharCode(c < 0xd800 ? c : c + 0x800); // skips the surrogates
  },
  (r) => String.fromCodePoint(r.int(0x10000, 0x10ffff)),
  (r) => String.fromCharCode(r.int(0xd800, 0xdfff)),
];

/**
 * A random string of at most `maxUnits` UTF-16 units: its length mostly below 1,400 (where
 * the room the body leaves the headers matters), sometimes up to 70 KB; its characters
 * from a mix of the classes drawn per string (pure ASCII to all multi-byte).
 */
export function randomString(r, maxUnits = MAX_UNITS) {
  const roll = r.next();
  const cap = roll < 0.6 ? 1400 : roll < 0.9 ? 8 * 1024 : MAX_UNITS;
  const length = r.int(0, Math.min(cap, maxUnits));
  const weights = CLASSES.map(() => (r.next() < 0.3 ? 0 : r.next()));
  weights[r.int(0, CLASSES.length - 1)] += 0.1; // never all zero
  const total = weights.reduce((a, b) => a + b);
  const parts = [];
  let units = 0;
  while (units < length) {
    let x = r.next() * total;
    let k = 0;
    while (x >= weights[k] && k < CLASSES.length - 1) x -= weights[k++];
    const piece = CLASSES[k](r);
    if (units + piece.length > length) break;
    parts.push(piece);
    units += piece.length;
  }
  return parts.join("");
}

/** `s` without ASCII whitespace at either end (header values are read trimmed). */
function trimAscii(s) {
  return s.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, "");
}

/** `s` with one character replaced so that its UTF-8 bytes change. */
function changeOne(r, s) {
  if (s.length === 0) return "x";
  for (;;) {
    const at = r.int(0, s.length - 1);
    const changed = s.slice(0, at) + r.pick(CLASSES)(r) + s.slice(at + 1);
    if (!sameBytes(utf8.encode(changed), utf8.encode(s))) return changed;
  }
}

function sameBytes(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function concat(...parts) {
  const bytes = parts.map((p) => (typeof p === "string" ? utf8.encode(p) : p));
  const out = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bytes) out.set(b, (at += b.length) - b.length);
  return out;
}

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const base64 = (bytes) => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));

async function hmac(hash, key, message) {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, message));
}

/**
 * The headers a provider sends for `body` (a string, signed as its UTF-8 bytes), by the
 * scheme's published rule, written here apart from the verifier: `id` (a string) and
 * `ts` go where the scheme carries them. Returns the headers and the signature header.
 */
export async function signByRule(scheme, key, body, id, ts) {
  const sha256 = (message) => hmac("SHA-256", key, message);
  switch (scheme) {
    case "standard":
    case "svix": {
      const sig = "v1," + base64(await sha256(concat(`${id}.${ts}.`, body)));
      const p = scheme === "standard" ? "webhook" : "svix";
      return {
        headers: { [`${p}-id`]: id, [`${p}-timestamp`]: String(ts), [`${p}-signature`]: sig },
        sig: `${p}-signature`,
      };
    }
    case "stripe":
    case "vector": {
      const value = `t=${ts},v1=` + hex(await sha256(concat(`${ts}.`, body)));
      if (scheme === "stripe") return { headers: { "stripe-signature": value }, sig: "stripe-signature" };
      return { headers: { "x-vector-signature": value, "x-vector-delivery": id }, sig: "x-vector-signature" };
    }
    case "github":
      return {
        headers: { "x-hub-signature-256": "sha256=" + hex(await sha256(utf8.encode(body))) },
        sig: "x-hub-signature-256",
      };
    case "vercel":
      return {
        headers: { "x-vercel-signature": hex(await hmac("SHA-1", key, utf8.encode(body))) },
        sig: "x-vercel-signature",
      };
    case "slack": {
      const value = "v0=" + hex(await sha256(concat(`v0:${ts}:`, body)));
      return {
        headers: { "x-slack-signature": value, "x-slack-request-timestamp": String(ts) },
        sig: "x-slack-signature",
      };
    }
    case "shopify":
      return {
        headers: { "x-shopify-hmac-sha256": base64(await sha256(utf8.encode(body))) },
        sig: "x-shopify-hmac-sha256",
      };
    case "generic":
      return { headers: { "x-webhook-signature": hex(await sha256(utf8.encode(body))) }, sig: "x-webhook-signature" };
  }
  throw new Error(`no rule for ${scheme}`);
}

/** A scheme's secret (as Webhook takes it) and its key bytes; random text for UTF-8 keys. */
function randomSecret(r, scheme, text = false) {
  if (scheme === "standard" || scheme === "svix") {
    const key = new Uint8Array(r.int(16, 64)).map(() => r.int(0, 255));
    return { secret: "whsec_" + base64(key), key };
  }
  let secret = text ? randomString(r, r.pick([8, 64, 600])) : "";
  if (trimAscii(secret) === "") secret = "s3cr3t-" + scheme + secret;
  return { secret, key: utf8.encode(secret) };
}

/** A body: random text, or (a third of the time) a JSON event carrying random text. */
function randomBody(r) {
  const text = randomString(r);
  return r.next() < 1 / 3 ? JSON.stringify({ type: "order.created", data: { note: text } }) : text;
}

/** Where a failing case is described: the seed to replay it and the inputs' shape. */
function where(name, seed, i, inputs) {
  const shape = Object.entries(inputs)
    .map(
      ([k, v]) =>
        `${k}: ${typeof v === "string" ? `${v.length} units, ${utf8.encode(v).length} bytes, ${JSON.stringify(v.slice(0, 80))}` : JSON.stringify(v)}`,
    )
    .join("; ");
  return `${name}, HOOKPROOF_PROPTEST_SEED=${seed}, case ${i}: ${shape}`;
}

function expectCode(hookproof, code, fn, context) {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof hookproof.WebhookVerificationError)) throw new Error(`${context}: threw ${e}`, { cause: e });
    if (code !== undefined && e.code !== code)
      throw new Error(`${context}: expected ${code}, got ${e.code}: ${e.message}`);
    return;
  }
  throw new Error(`${context}: expected ${code ?? "a WebhookVerificationError"}, but it was accepted`);
}

function expectOk(fn, context) {
  try {
    return fn();
  } catch (e) {
    throw new Error(`${context}: ${e?.code ?? ""} ${e?.message ?? e}`, { cause: e });
  }
}

/**
 * The properties, as [name, async run] pairs for the runtime's test runner. `hookproof`
 * is the package's entry as the runtime imports it; `extra(check)` may add checks per
 * body (the official libraries, in Node).
 */
export function properties(hookproof, { cases, seed }) {
  const { Webhook } = hookproof;
  const each = (name, salt, fn) => [
    `${name} (${cases} cases, HOOKPROOF_PROPTEST_SEED=${seed})`,
    async () => {
      const r = random(seed ^ salt);
      for (let i = 0; i < cases; i++) await fn(r, i, (inputs) => where(name, seed, i, inputs));
    },
  ];
  return [
    each("string bodies verify as string and as bytes; one changed character does not", 0x1, async (r, i, at) => {
      const scheme = SCHEMES[i % SCHEMES.length];
      const { secret, key } = randomSecret(r, scheme);
      const body = randomBody(r);
      const { headers } = await signByRule(scheme, key, body, `msg_${i}`, NOW);
      const context = at({ scheme, body });
      const wh = new Webhook(secret, { scheme, now: clock });
      expectOk(() => wh.verifySignature(body, headers), context + " (string)");
      expectOk(() => wh.verifySignature(utf8.encode(body), headers), context + " (Uint8Array)");
      if (typeof Buffer === "function") {
        expectOk(() => wh.verifySignature(Buffer.from(body), headers), context + " (Buffer)");
      }
      if (body.startsWith('{"type"')) {
        const event = expectOk(() => wh.verify(body, new Headers(headers)), context + " (verify)");
        if (JSON.stringify(event) !== JSON.stringify(JSON.parse(body))) throw new Error(`${context}: another event`);
      }
      const changed = changeOne(r, body);
      expectCode(
        hookproof,
        "no_matching_signature",
        () => wh.verifySignature(changed, headers),
        context + " (changed)",
      );
    }),
    each(
      "header values: a signed non-ASCII id verifies, a changed one does not; non-ASCII entries beside a valid signature are skipped",
      0x2,
      async (r, i, at) => {
        const scheme = SCHEMES[i % SCHEMES.length];
        const { secret, key } = randomSecret(r, scheme);
        const body = randomBody(r);
        const id = trimAscii(randomString(r, r.pick([16, 300, 3000]))) || "é";
        const { headers, sig } = await signByRule(scheme, key, body, id, NOW);
        // Entries without ASCII carry no separator, so each stays one (unmatched) entry.
        const noise = Array.from(
          { length: r.int(1, 3) },
          () => randomString(r, r.pick([40, 900])).replace(/[\0-\x7f]/g, "") || "ü",
        );
        const entry =
          { standard: " v1,", svix: " v1,", stripe: ",v1=", vector: ",v1=", slack: ", v0=", github: ", sha256=" }[
            scheme
          ] ?? ", ";
        headers[sig] += noise.map((n) => entry + n).join("");
        const context = at({ scheme, body, id, noise });
        const wh = new Webhook(secret, { scheme, now: clock });
        expectOk(() => wh.verifySignature(body, headers), context);
        expectOk(
          () => wh.verifySignature(utf8.encode(body), new Map(Object.entries(headers))),
          context + " (bytes, Map)",
        );
        if (scheme === "standard" || scheme === "svix") {
          const idHeader = `${scheme === "standard" ? "webhook" : "svix"}-id`;
          const changed = { ...headers, [idHeader]: trimAscii(changeOne(r, id)) || "x" };
          expectCode(
            hookproof,
            "no_matching_signature",
            () => wh.verifySignature(body, changed),
            context + " (changed id)",
          );
        }
        // Any text in every header the scheme reads: refused with a WebhookVerificationError.
        const garbage = Object.fromEntries(Object.keys(headers).map((name) => [name, randomString(r, 500)]));
        expectCode(hookproof, undefined, () => wh.verifySignature(body, garbage), context + " (random header values)");
      },
    ),
    each(
      "secrets: any string secret keys the scheme's rule with its UTF-8 bytes; another secret fails",
      0x3,
      async (r, i, at) => {
        const scheme = UTF8_KEY_SCHEMES[i % UTF8_KEY_SCHEMES.length];
        const { secret, key } = randomSecret(r, scheme, true);
        const body = randomString(r, 2000);
        const { headers, sig } = await signByRule(scheme, key, body, `msg_${i}`, NOW);
        const context = at({ scheme, secret, body });
        const wh = expectOk(() => new Webhook(secret, { scheme, now: clock }), context + " (new Webhook)");
        expectOk(() => wh.verifySignature(body, headers), context);
        const ours = expectOk(() => wh.sign(body, { id: `msg_${i}`, timestamp: NOW }), context + " (sign)");
        if (ours[sig] !== headers[sig])
          throw new Error(`${context}: sign() gave ${ours[sig]}, the rule ${headers[sig]}`);
        const other = changeOne(r, secret);
        if (trimAscii(other) !== "") {
          const wrong = new Webhook(other, { scheme, now: clock });
          expectCode(
            hookproof,
            "no_matching_signature",
            () => wrong.verifySignature(body, headers),
            context + " (other secret)",
          );
        }
      },
    ),
    each(
      "sign(): string and bytes bodies give the rule's signature; a non-ASCII id is invalid_option",
      0x4,
      async (r, i, at) => {
        const scheme = SCHEMES[i % SCHEMES.length];
        const { secret, key } = randomSecret(r, scheme);
        const body = randomBody(r);
        const id = `msg_${r.int(0, 1e9)}`;
        const ts = r.int(0, 2e9);
        const { headers, sig } = await signByRule(scheme, key, body, id, ts);
        const context = at({ scheme, body, ts });
        const wh = new Webhook(secret, { scheme, now: () => ts * 1000 });
        for (const form of [body, utf8.encode(body)]) {
          const ours = expectOk(() => wh.sign(form, { id, timestamp: ts }), context + " (sign)");
          if (ours[sig] !== headers[sig])
            throw new Error(`${context}: sign() gave ${ours[sig]}, the rule ${headers[sig]}`);
          expectOk(() => wh.verifySignature(body, ours), context + " (verify what sign gave)");
        }
        const badId = randomString(r, 200).replace(/[\x21-\x7e]/g, "") || "é";
        expectCode(hookproof, "invalid_option", () => wh.sign(body, { id: badId }), context + " (non-ASCII id)");
      },
    ),
    each(
      "diagnose(): verified for what the rule signs (invalid_payload if not JSON), no_matching_signature when changed",
      0x5,
      async (r, i, at) => {
        const scheme = SCHEMES[i % SCHEMES.length];
        const { secret, key } = randomSecret(r, scheme);
        const body = randomBody(r);
        const { headers } = await signByRule(scheme, key, body, `msg_${i}`, NOW);
        const context = at({ scheme, body });
        const wh = new Webhook(secret, { scheme, now: clock });
        let json = true;
        try {
          JSON.parse(body);
        } catch {
          json = false;
        }
        for (const form of [body, utf8.encode(body)]) {
          const report = wh.diagnose(form, headers);
          const good = json ? report.verified : report.code === "invalid_payload";
          if (!good) throw new Error(`${context}: diagnose said ${JSON.stringify(report).slice(0, 300)}`);
        }
        const report = wh.diagnose(changeOne(r, body), headers);
        if (report.verified || report.code !== "no_matching_signature") {
          throw new Error(`${context} (changed): diagnose said ${JSON.stringify(report).slice(0, 300)}`);
        }
      },
    ),
  ];
}
