// What is measured, shared by every runtime (Node, Deno, workerd): the bodies, the secrets,
// and one "contender" per library, each verifying a valid signature of the same body.
// Runtime-agnostic: each runtime entry passes in the libraries it can load (`deps`);
// a contender whose library is absent is skipped there.

/** Body sizes in bytes. */
export const SIZES = [256, 1024, 4 * 1024, 16 * 1024, 64 * 1024, 1024 * 1024];
export const QUICK_SIZES = [256, 16 * 1024];

// Test-only secrets.
export const STD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
export const STRIPE_SECRET = "whsec_bench_stripe_secret";
export const GITHUB_SECRET = "bench github secret";

/** A JSON webhook body (ASCII, so chars = bytes) of exactly `size` bytes. */
export function makeBody(size) {
  const head = '{"id":"evt_bench","type":"invoice.paid","created":1700000000,"data":{"items":[';
  const items = [];
  let len = head.length;
  for (let i = 0; ; i++) {
    const item = JSON.stringify({
      i,
      sku: `sku-${String(i).padStart(5, "0")}`,
      qty: 1 + (i % 7),
      price: 1299 + i,
      paid: i % 2 === 0,
    });
    // keep room for `],"pad":""}}` and the comma
    if (len + item.length + 1 + 13 > size) break;
    items.push(item);
    len += item.length + 1;
  }
  const prefix = head + items.join(",") + '],"pad":"';
  const tail = '"}}';
  const pad = size - prefix.length - tail.length;
  if (pad < 0) throw new Error(`cannot make a ${size}-byte body`);
  const body = prefix + "x".repeat(pad) + tail;
  if (body.length !== size) throw new Error(`body is ${body.length} bytes, wanted ${size}`);
  JSON.parse(body);
  return body;
}

/** The same body with one byte changed in the middle (must be rejected). */
export function tamper(body) {
  const i = body.lastIndexOf("x") > 0 ? body.lastIndexOf("x") : body.length >> 1;
  return body.slice(0, i) + (body[i] === "y" ? "z" : "y") + body.slice(i + 1);
}

function b64decode(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Standard Webhooks headers -> [id, ts, [base64 v1 signatures]], as a bare implementation reads them. */
function readStandard(headers) {
  const id = headers["webhook-id"];
  const ts = headers["webhook-timestamp"];
  const sigs = [];
  for (const part of headers["webhook-signature"].split(" ")) {
    const comma = part.indexOf(",");
    if (part.slice(0, comma) === "v1") sigs.push(part.slice(comma + 1));
  }
  if (Math.abs(Math.floor(Date.now() / 1000) - Number(ts)) > 300) throw new Error("timestamp out of tolerance");
  return [id, ts, sigs];
}

/**
 * The contenders. `group` is "hookproof" or "peer". `parses`: returns the parsed JSON
 * (like Webhook.verify) rather than only checking the MAC. `setup(deps, fx)` returns
 * `(body) => result | Promise`, which throws (or rejects) when the signature is not valid;
 * `fx` holds the signed headers of the *valid* body, so calling it with a tampered
 * body must fail.
 */
export const CONTENDERS = [
  {
    id: "hp-verify",
    label: "hookproof Webhook.verify",
    group: "hookproof",
    parses: true,
    needs: ["Webhook"],
    setup: ({ Webhook }, fx) => {
      const wh = new Webhook(STD_SECRET);
      return (body) => wh.verify(body, fx.standard);
    },
  },
  {
    id: "hp-verifySignature",
    label: "hookproof verifySignature",
    group: "hookproof",
    parses: false,
    needs: ["Webhook"],
    setup: ({ Webhook }, fx) => {
      const wh = new Webhook(STD_SECRET);
      return (body) => wh.verifySignature(body, fx.standard);
    },
  },
  {
    id: "hp-verifySignature-bytes",
    label: "hookproof verifySignature (Uint8Array body)",
    group: "hookproof",
    parses: false,
    needs: ["Webhook"],
    setup: ({ Webhook }, fx) => {
      const wh = new Webhook(STD_SECRET);
      const enc = new TextEncoder();
      const cache = new Map(); // the body arrives as bytes: encoding is not part of the measure
      return (body) => {
        let bytes = cache.get(body);
        if (!bytes) cache.set(body, (bytes = enc.encode(body)));
        return wh.verifySignature(bytes, fx.standard);
      };
    },
  },
  {
    id: "hp-stripe-verify",
    label: "hookproof Webhook.verify (stripe scheme)",
    group: "hookproof",
    parses: true,
    needs: ["Webhook"],
    setup: ({ Webhook }, fx) => {
      const wh = new Webhook(STRIPE_SECRET, { scheme: "stripe" });
      return (body) => wh.verify(body, fx.stripe);
    },
  },
  {
    id: "hp-github-verifySignature",
    label: "hookproof verifySignature (github scheme)",
    group: "hookproof",
    parses: false,
    needs: ["Webhook"],
    setup: ({ Webhook }, fx) => {
      const wh = new Webhook(GITHUB_SECRET, { scheme: "github" });
      return (body) => wh.verifySignature(body, fx.github);
    },
  },
  {
    id: "standardwebhooks",
    label: "standardwebhooks verify",
    group: "peer",
    parses: true,
    hp: "hp-verify",
    needs: ["StandardWebhook"],
    setup: ({ StandardWebhook }, fx) => {
      const wh = new StandardWebhook(STD_SECRET);
      return (body) => wh.verify(body, fx.standard);
    },
  },
  {
    id: "svix",
    label: "svix verify",
    group: "peer",
    parses: true,
    hp: "hp-verify",
    needs: ["SvixWebhook"],
    setup: ({ SvixWebhook }, fx) => {
      const wh = new SvixWebhook(STD_SECRET);
      return (body) => wh.verify(body, fx.standard);
    },
  },
  {
    id: "stripe",
    label: "stripe constructEvent",
    group: "peer",
    parses: true,
    hp: "hp-stripe-verify",
    needs: ["stripe"],
    setup: ({ stripe }, fx) => {
      const header = fx.stripe["stripe-signature"];
      return (body) => stripe.webhooks.constructEvent(body, header, STRIPE_SECRET);
    },
  },
  {
    id: "stripe-async",
    label: "stripe constructEventAsync (SubtleCrypto)",
    group: "peer",
    parses: true,
    async: true,
    hp: "hp-stripe-verify",
    needs: ["stripe", "Stripe"],
    setup: ({ stripe, Stripe }, fx) => {
      const header = fx.stripe["stripe-signature"];
      // What edge users get: the SubtleCrypto provider (Workers, Deno, browsers).
      const provider = Stripe.createSubtleCryptoProvider();
      return (body) => stripe.webhooks.constructEventAsync(body, header, STRIPE_SECRET, undefined, provider);
    },
  },
  {
    id: "octokit",
    label: "@octokit/webhooks-methods verify",
    group: "peer",
    parses: false,
    async: true,
    hp: "hp-github-verifySignature",
    needs: ["octokitVerify"],
    setup: ({ octokitVerify }, fx) => {
      const header = fx.github["x-hub-signature-256"];
      return async (body) => {
        if (!(await octokitVerify(GITHUB_SECRET, body, header))) throw new Error("octokit: invalid signature");
      };
    },
  },
  {
    id: "node-crypto",
    label: "node:crypto createHmac + timingSafeEqual",
    group: "peer",
    parses: false,
    hp: "hp-verifySignature",
    needs: ["createHmac", "timingSafeEqual", "Buffer"],
    setup: ({ createHmac, timingSafeEqual, Buffer }, fx) => {
      // Bare Standard Webhooks verification: HMAC-SHA256 of `${id}.${ts}.${body}`.
      const key = Buffer.from(STD_SECRET.slice("whsec_".length), "base64");
      return (body) => {
        const [id, ts, sigs] = readStandard(fx.standard);
        const expected = createHmac("sha256", key).update(`${id}.${ts}.`).update(body).digest();
        for (const sig of sigs) {
          const got = Buffer.from(sig, "base64");
          if (got.length === expected.length && timingSafeEqual(got, expected)) return;
        }
        throw new Error("node:crypto: invalid signature");
      };
    },
  },
  {
    id: "node-crypto-receiver",
    label: "shortest node:crypto receiver (createHmac + digest + timingSafeEqual + JSON.parse)",
    group: "peer",
    parses: true,
    hp: "hp-verify",
    needs: ["createHmac", "timingSafeEqual", "Buffer"],
    setup: ({ createHmac, timingSafeEqual, Buffer }, fx) => {
      // The least a receiver can do: no header parsing or tolerance check, the signed
      // prefix, the key and the signature decoded once, then HMAC, compare and parse.
      const key = Buffer.from(STD_SECRET.slice("whsec_".length), "base64");
      const prefix = `${fx.standard["webhook-id"]}.${fx.standard["webhook-timestamp"]}.`;
      const sig = Buffer.from(fx.standard["webhook-signature"].split(" ")[0].slice("v1,".length), "base64");
      return (body) => {
        const expected = createHmac("sha256", key).update(prefix).update(body).digest();
        if (!timingSafeEqual(expected, sig)) throw new Error("node:crypto: invalid signature");
        return JSON.parse(body);
      };
    },
  },
  {
    id: "webcrypto",
    label: "WebCrypto subtle.verify (imported key)",
    group: "peer",
    parses: false,
    async: true,
    hp: "hp-verifySignature",
    needs: ["subtle"],
    setup: async ({ subtle }, fx) => {
      const key = await subtle.importKey(
        "raw",
        b64decode(STD_SECRET.slice("whsec_".length)),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["verify"],
      );
      const enc = new TextEncoder();
      return async (body) => {
        const [id, ts, sigs] = readStandard(fx.standard);
        const data = enc.encode(`${id}.${ts}.${body}`);
        for (const sig of sigs) {
          if (await subtle.verify("HMAC", key, b64decode(sig), data)) return;
        }
        throw new Error("WebCrypto: invalid signature");
      };
    },
  },
];

/** The signed headers of `body` for each scheme, signed now by hookproof. */
export function fixtures(Webhook, body) {
  return {
    standard: new Webhook(STD_SECRET).sign(body, { id: "msg_bench" }),
    stripe: new Webhook(STRIPE_SECRET, { scheme: "stripe" }).sign(body),
    github: new Webhook(GITHUB_SECRET, { scheme: "github" }).sign(body),
  };
}

/** Contenders runnable with `deps`, optionally filtered by id substrings. */
export function available(deps, only) {
  return CONTENDERS.filter(
    (c) =>
      c.needs.every((n) => deps[n] !== undefined) &&
      !(deps.skip ?? []).includes(c.id) &&
      (!only || only.some((o) => c.id.includes(o))),
  );
}

/**
 * Prepares every contender for one body size: signs the body, builds the verify
 * functions, and checks each accepts the body and rejects a tampered copy (so no
 * contender is measured doing nothing). Returns [{ contender, fn, body }].
 */
export async function prepare(deps, contenders, size) {
  const body = makeBody(size);
  const bad = tamper(body);
  const fx = fixtures(deps.Webhook, body);
  const out = [];
  for (const c of contenders) {
    const fn = await c.setup(deps, fx);
    try {
      await fn(body);
    } catch (e) {
      throw new Error(`${c.id} rejected a valid ${size}-byte body: ${e?.message ?? e}`);
    }
    let rejected = false;
    try {
      await fn(bad);
    } catch {
      rejected = true;
    }
    if (!rejected) throw new Error(`${c.id} accepted a tampered ${size}-byte body`);
    out.push({ contender: c, fn, body });
  }
  return out;
}

/** Calls per timed sample, so each sample is well above the timer's resolution. */
export function batchFor(size) {
  return Math.max(1, Math.min(64, Math.ceil((64 * 1024) / size)));
}

/** The ratios reported: peer median latency / like-for-like hookproof median (>1: hookproof faster). */
export function ratioPairs(contenders) {
  return contenders.filter((c) => c.group === "peer" && c.hp).map((c) => ({ peer: c.id, hp: c.hp }));
}
