// The package's ES module entry on the built pkg/: every scheme, every error code, every
// accepted body and header form. Runs under Node, Bun and Node 24 (tests/runtimes).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import {
  Webhook,
  WebhookVerificationError,
  verifyRequest,
  detectScheme,
  ReplayGuard,
  deliveryId,
} from "../../pkg/src/node.mjs";

const SCHEMES = ["standard", "svix", "stripe", "vector", "github", "vercel", "slack", "shopify", "generic"];
const STD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const T0 = 1_700_000_000;
const at = (seconds) => () => seconds * 1000;
const BODY = '{"type":"order.created","data":{"id":42,"note":"café ☕"}}';

function code(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof WebhookVerificationError, `not a WebhookVerificationError: ${e}`);
    assert.equal(e.name, "WebhookVerificationError");
    return e.code;
  }
  assert.fail("expected a WebhookVerificationError");
}

test("published vectors: Standard Webhooks, GitHub, Slack", () => {
  const std = new Webhook(STD_SECRET, { now: at(1614265330) });
  assert.deepEqual(
    std.verify('{"test": 2432232314}', {
      "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "webhook-timestamp": "1614265330",
      "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }),
    { test: 2432232314 },
  );
  const gh = new Webhook("It's a Secret to Everybody", { scheme: "github" });
  gh.verifySignature("Hello, World!", {
    "X-Hub-Signature-256": "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
  });
  const slackBody =
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
  new Webhook("8f742231b10e8888abcd99yyyzzz85a5", { scheme: "slack", now: at(1531420618) }).verifySignature(slackBody, {
    "X-Slack-Request-Timestamp": "1531420618",
    "X-Slack-Signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
  });
});

for (const scheme of SCHEMES) {
  test(`${scheme}: sign then verify, detect, tamper`, () => {
    const wh = new Webhook(STD_SECRET, { scheme, now: at(T0) });
    const headers = wh.sign(BODY, { id: "msg_1" });
    for (const name of Object.keys(headers)) assert.equal(name, name.toLowerCase());
    assert.equal(detectScheme(headers), scheme);
    assert.deepEqual(wh.verify(BODY, headers), JSON.parse(BODY));
    assert.equal(
      code(() => wh.verify(BODY.replace("42", "43"), headers)),
      "no_matching_signature",
    );
    const other = new Webhook("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", { scheme, now: at(T0) });
    assert.equal(
      code(() => other.verify(BODY, headers)),
      "no_matching_signature",
    );
    const sigHeader = Object.keys(headers).find((h) => detectScheme({ [h]: "x" }) === scheme);
    const missing = { ...headers };
    delete missing[sigHeader];
    assert.equal(
      code(() => wh.verify(BODY, missing)),
      "missing_header",
    );
  });
}

test("header forms: Headers, mixed-case object, Map, IncomingHttpHeaders arrays", () => {
  const wh = new Webhook(STD_SECRET, { scheme: "stripe", now: at(T0) });
  const h = wh.sign(BODY);
  wh.verify(BODY, new Headers(h));
  wh.verify(BODY, { "Stripe-Signature": h["stripe-signature"], "content-type": "application/json" });
  wh.verify(BODY, new Map(Object.entries(h)));
  const std = new Webhook(STD_SECRET, { now: at(T0) });
  const sh = std.sign(BODY, { id: "msg_2" });
  std.verify(BODY, { ...sh, "webhook-signature": ["v1,AAAA", sh["webhook-signature"]] });
});

test("body forms: string, Buffer, Uint8Array, ArrayBuffer, DataView, non-UTF-8 bytes", () => {
  const wh = new Webhook("secret", { scheme: "generic" });
  const bytes = new TextEncoder().encode(BODY);
  const h = wh.sign(BODY);
  assert.deepEqual(wh.verify(Buffer.from(BODY), h), JSON.parse(BODY));
  wh.verify(bytes, h);
  wh.verify(bytes.buffer.slice(0), h);
  wh.verify(new DataView(bytes.buffer), h);
  const binary = Uint8Array.from({ length: 256 }, (_, i) => i);
  wh.verifySignature(binary, wh.sign(binary));
  assert.equal(
    code(() => wh.verify(binary, wh.sign(binary))),
    "invalid_payload",
  );
});

/** Standard Webhooks headers for `body` (a string or its UTF-8 bytes) at T0, signed by node:crypto. */
function nodeSigned(id, body) {
  const key = Buffer.from(STD_SECRET.slice("whsec_".length), "base64");
  const mac = createHmac("sha256", key).update(`${id}.${T0}.`).update(body).digest("base64");
  return { "webhook-id": id, "webhook-timestamp": String(T0), "webhook-signature": `v1,${mac}` };
}

test("non-ASCII header values cross into wasm as UTF-8", () => {
  // The shell writes ASCII header values in one piece and anything else one by one.
  const wh = new Webhook(STD_SECRET, { now: at(T0) });
  for (const id of ["msg_é", "☕", "msg_\u{1F600}_x", "a".repeat(300) + "é"]) {
    const headers = nodeSigned(id, BODY);
    assert.deepEqual(wh.verify(BODY, headers), JSON.parse(BODY));
    // A non-ASCII candidate next to the right one, and the id changed by one character.
    wh.verify(BODY, { ...headers, "webhook-signature": `v1,é☕ ${headers["webhook-signature"]}` });
    assert.equal(
      code(() => wh.verify(BODY, { ...headers, "webhook-id": id + "x" })),
      "no_matching_signature",
    );
  }
});

test("string bodies of every UTF-8 width are signed and verified as their UTF-8 bytes", () => {
  // The shell writes a string body with room for one byte per UTF-16 unit first and grows
  // the buffer for the rest only when it does not fit: these bodies cross that boundary
  // in one-, two-, three- and four-byte characters, and a lone surrogate (U+FFFD).
  const wh = new Webhook(STD_SECRET, { now: at(T0) });
  const bodies = [
    JSON.stringify({ note: "a".repeat(5000) }),
    JSON.stringify({ note: "é".repeat(3000) }),
    JSON.stringify({ note: "☕".repeat(3000) }),
    JSON.stringify({ note: "\u{1F600}".repeat(3000) }),
    JSON.stringify({ note: "a".repeat(4000) + "é☕\u{1F600}" }),
    JSON.stringify({ note: "\u{1F600}" + "a".repeat(4000) }),
    '{"note":"\uD800"}',
  ];
  for (const body of bodies) {
    const utf8 = new TextEncoder().encode(body);
    const headers = nodeSigned("msg_1", utf8);
    assert.deepEqual(wh.verify(body, headers), JSON.parse(body));
    wh.verifySignature(utf8, headers);
    assert.equal(
      code(() => wh.verifySignature(body + " ", headers)),
      "no_matching_signature",
    );
  }
});

test("every error code", () => {
  const wh = new Webhook(STD_SECRET, { now: at(T0), toleranceSeconds: 300 });
  const h = wh.sign(BODY, { id: "msg_3" });
  assert.equal(
    code(() => wh.verify(BODY, { ...h, "webhook-id": undefined })),
    "missing_header",
  );
  assert.equal(
    code(() => wh.verify(BODY, { ...h, "webhook-signature": "v2,abc" })),
    "invalid_header",
  );
  // Only an asymmetric (v1a) signature and a whsec_ secret: the message says what checks it.
  assert.throws(() => wh.verify(BODY, { ...h, "webhook-signature": "v1a,abc" }), {
    code: "invalid_header",
    message:
      "header webhook-signature is malformed: no v1,<signature> entry (v1a entries, Ed25519 signatures, are checked with a whpk_ public key)",
  });
  assert.equal(
    code(() => wh.verify(BODY, { ...h, "webhook-timestamp": "soon" })),
    "invalid_timestamp",
  );
  const old = wh.sign(BODY, { timestamp: T0 - 301 });
  const fresh = wh.sign(BODY, { timestamp: T0 + 301 });
  assert.equal(
    code(() => wh.verify(BODY, old)),
    "timestamp_too_old",
  );
  assert.equal(
    code(() => wh.verify(BODY, fresh)),
    "timestamp_too_new",
  );
  assert.equal(
    code(() => wh.verify(BODY + " ", h)),
    "no_matching_signature",
  );
  assert.equal(
    code(() => new Webhook("whsec_not base64!")),
    "invalid_secret",
  );
  assert.equal(
    code(() => new Webhook("", { scheme: "github" })),
    "invalid_secret",
  );
  assert.equal(
    code(() => new Webhook([])),
    "invalid_secret",
  );
  assert.equal(
    code(() => new Webhook({ nope: 1 })),
    "invalid_secret",
  );
  const notJson = "not json";
  assert.equal(
    code(() => wh.verify(notJson, wh.sign(notJson))),
    "invalid_payload",
  );
  assert.equal(
    code(() => wh.verify(JSON.parse(BODY), h)),
    "invalid_body_type",
  );
  assert.equal(
    code(() => wh.verify(null, h)),
    "invalid_body_type",
  );
  assert.equal(
    code(() => new Webhook(STD_SECRET, { scheme: "paypal" })),
    "invalid_option",
  );
  assert.equal(
    code(() => new Webhook(STD_SECRET, { toleranceSeconds: -1 })),
    "invalid_option",
  );
  assert.equal(
    code(() => wh.sign(BODY, { id: "has space" })),
    "invalid_option",
  );
  assert.equal(
    code(() => wh.sign(BODY, null)),
    "invalid_option",
  );
});

test("messages name the header, never the secret or the expected signature", () => {
  const wh = new Webhook(STD_SECRET, { now: at(T0) });
  const h = wh.sign(BODY, { id: "msg_4" });
  const expected = h["webhook-signature"].slice(3);
  for (const [body, headers] of [
    ["tampered", h],
    [BODY, { ...h, "webhook-timestamp": "x" }],
    [BODY, { ...h, "webhook-id": undefined }],
  ]) {
    try {
      wh.verify(body, headers);
      assert.fail("expected failure");
    } catch (e) {
      assert.match(e.message, /webhook-/);
      assert.ok(!e.message.includes("MfKQ9r8GKY") && !e.message.includes(expected), e.message);
    }
  }
  assert.ok(!String(code.toString()).includes("MfKQ9r8GKY"));
});

test("timestamp tolerance is configurable and both-sided", () => {
  const sign = new Webhook(STD_SECRET, { now: at(T0) });
  const h = sign.sign(BODY);
  new Webhook(STD_SECRET, { now: at(T0 + 1000), toleranceSeconds: 1000 }).verify(BODY, h);
  const err = (() => {
    try {
      new Webhook(STD_SECRET, { now: at(T0 + 412) }).verify(BODY, h);
    } catch (e) {
      return e;
    }
  })();
  assert.equal(err.code, "timestamp_too_old");
  assert.match(err.message, /412 s old; tolerance is 300 s/);
  new Webhook(STD_SECRET, { now: () => new Date((T0 - 10) * 1000) }).verify(BODY, h);
});

test("a delivery of another scheme is named in missing_header's message; an unset secret says so", () => {
  const vector = new Webhook("vector secret", { scheme: "vector", now: at(T0) }).sign(BODY);
  const err = (() => {
    try {
      new Webhook(STD_SECRET, { now: at(T0) }).verify(BODY, vector);
    } catch (e) {
      return e;
    }
  })();
  assert.equal(err.code, "missing_header");
  assert.match(err.message, /webhook-signature; the headers carry the vector scheme's signature/);
  // No hint when no scheme's header is there.
  assert.throws(() => new Webhook(STD_SECRET).verify(BODY, {}), {
    message: "missing required header webhook-signature",
  });
  assert.throws(() => new Webhook(undefined), {
    code: "invalid_secret",
    message: /not undefined \(is the environment variable that holds it set\?\)/,
  });
});

test("rotation: several secrets, any match passes; sign emits one signature each", () => {
  const rotating = new Webhook(["whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", STD_SECRET], { now: at(T0) });
  const h = rotating.sign(BODY);
  assert.equal(h["webhook-signature"].split(" ").length, 2);
  new Webhook(STD_SECRET, { now: at(T0) }).verify(BODY, h);
  rotating.verify(BODY, new Webhook(STD_SECRET, { now: at(T0) }).sign(BODY));
});

// The wasm build hashes with its own SHA-256 compress (verifier/src/sha256.rs, wasm SIMD):
// every padding case (lengths around 55/56/64 bytes), multi-block bodies and long keys
// against OpenSSL, for SHA-256 (github) and SHA-1 (vercel).
test("HMACs match node:crypto at every length around the block edges", () => {
  const lengths = [...Array(300).keys(), 447, 448, 511, 512, 513, 1000, 4096, 65537, 1 << 20];
  for (const [scheme, hash, header] of [
    ["github", "sha256", "x-hub-signature-256"],
    ["vercel", "sha1", "x-vercel-signature"],
  ]) {
    for (const length of lengths) {
      const key = randomBytes(1 + (length % 130));
      const body = randomBytes(length);
      const signed = new Webhook(key, { scheme }).sign(body)[header];
      const expected = createHmac(hash, key).update(body).digest("hex");
      assert.ok(signed.endsWith(expected), `${scheme}, ${length} bytes: ${signed} != ${expected}`);
    }
  }
});

test("raw key bytes are used as the key as given", () => {
  const key = new Uint8Array([1, 2, 3, 4, 5]);
  const a = new Webhook(key, { scheme: "github" });
  const b = new Webhook(Buffer.from(key).toString("latin1"), { scheme: "github" });
  b.verifySignature(BODY, a.sign(BODY));
});

test("verifyRequest reads a Fetch Request once, as bytes", async () => {
  const wh = new Webhook(STD_SECRET, { scheme: "svix" });
  const headers = wh.sign(BODY);
  const ok = new Request("http://localhost/hook", { method: "POST", body: BODY, headers });
  assert.deepEqual(await verifyRequest(ok, STD_SECRET, { scheme: "svix" }), JSON.parse(BODY));
  const bad = new Request("http://localhost/hook", { method: "POST", body: BODY + "x", headers });
  await assert.rejects(verifyRequest(bad, STD_SECRET, { scheme: "svix" }), { code: "no_matching_signature" });
  const read = new Request("http://localhost/hook", { method: "POST", body: BODY, headers });
  await read.text();
  await assert.rejects(verifyRequest(read, STD_SECRET, { scheme: "svix" }), {
    name: "WebhookVerificationError",
    code: "invalid_body_type",
  });
});

test("a body too large for wasm memory: body_too_large, and the module keeps working", () => {
  let huge;
  try {
    huge = new Uint8Array(2 ** 31); // not touched, so not resident
  } catch {
    return; // a runtime that cannot allocate it cannot send it to verify either
  }
  const wh = new Webhook(STD_SECRET);
  const h = wh.sign(BODY);
  assert.equal(
    code(() => wh.verifySignature(huge, h)),
    "body_too_large",
  );
  assert.deepEqual(wh.verify(BODY, h), JSON.parse(BODY));
  assert.deepEqual(new Webhook(STD_SECRET).verify(BODY, h), JSON.parse(BODY));
});

test("detectScheme", () => {
  assert.equal(detectScheme({ "Stripe-Signature": "t=1,v1=0" }), "stripe");
  assert.equal(detectScheme(new Headers({ "x-hub-signature-256": "sha256=0" })), "github");
  assert.equal(detectScheme({ "content-type": "application/json" }), null);
});

test("random headers and bodies: only WebhookVerificationError, and the module keeps working", () => {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const junk = () => {
    const alphabet = "tv01=,. ;\u0000\u00ff☕𝄞abcdefABCDEF+/=-_whsec";
    return Array.from({ length: Math.floor(rand() * 40) }, () => pick([...alphabet])).join("");
  };
  const names = [
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "stripe-signature",
    "x-vector-signature",
    "x-hub-signature-256",
    "x-vercel-signature",
    "x-slack-signature",
    "x-slack-request-timestamp",
    "x-shopify-hmac-sha256",
    "x-webhook-signature",
    "svix-id",
    "svix-timestamp",
    "svix-signature",
  ];
  for (let i = 0; i < 3000; i++) {
    const scheme = pick(SCHEMES);
    const headers = {};
    for (let j = 0; j < 4; j++)
      headers[pick(names)] = pick([junk(), "t=" + junk(), "v1," + junk(), String(rand() * 1e12), ""]);
    const body = pick([junk(), new Uint8Array(Math.floor(rand() * 64)).map(() => rand() * 256), ""]);
    try {
      new Webhook(pick([STD_SECRET, junk() || "k"]), { scheme, toleranceSeconds: rand() * 1e6 }).verify(body, headers);
    } catch (e) {
      assert.ok(e instanceof WebhookVerificationError, `unexpected ${e?.name}: ${e?.message}`);
    }
  }
  const wh = new Webhook(STD_SECRET);
  wh.verify(BODY, wh.sign(BODY));
});

test("diagnose: never throws, names the mistake, never echoes the secret or signature", () => {
  const wh = new Webhook(STD_SECRET, { now: at(T0) });
  const signedBody = JSON.stringify(JSON.parse(BODY), null, 2);
  const h = wh.sign(signedBody);
  const sig = h["webhook-signature"].slice(3);
  assert.deepEqual(wh.diagnose(signedBody, h), { verified: true, code: null, message: null, findings: [] });

  const reserialized = wh.diagnose(JSON.stringify(JSON.parse(signedBody)), h);
  assert.equal(reserialized.code, "no_matching_signature");
  assert.deepEqual(
    reserialized.findings.map((f) => f.kind),
    ["body_reserialized"],
  );

  const parsed = wh.diagnose(JSON.parse(signedBody), new Headers(h));
  assert.equal(parsed.code, "invalid_body_type");
  assert.deepEqual(
    parsed.findings.map((f) => f.kind),
    ["parsed_body", "body_reserialized"],
  );

  const stripeHeaders = new Webhook(STD_SECRET, { scheme: "stripe", now: at(T0) }).sign(signedBody);
  assert.deepEqual(
    wh.diagnose(signedBody, stripeHeaders).findings.map((f) => f.kind),
    ["wrong_scheme"],
  );

  const stale = wh.diagnose(signedBody, new Webhook(STD_SECRET, { now: at(T0 - 412) }).sign(signedBody));
  assert.equal(stale.code, "timestamp_too_old");
  assert.match(stale.findings[0].message, /412 s/);

  for (const junk of [undefined, null, 42, Symbol.iterator]) {
    const r = wh.diagnose(junk, junk);
    assert.equal(r.verified, false);
  }

  // What verify says, as verify says it.
  const parsedError = (() => {
    try {
      wh.verify(JSON.parse(signedBody), h);
    } catch (e) {
      return e;
    }
  })();
  assert.equal(parsed.message, parsedError.message);
  const exact = wh.diagnose(JSON.parse(BODY), wh.sign(BODY));
  assert.deepEqual([exact.verified, exact.code, exact.message], [false, "invalid_body_type", parsedError.message]);
  const notJson = wh.diagnose("not json", wh.sign("not json"));
  assert.deepEqual([notJson.verified, notJson.code], [false, "invalid_payload"]);
  assert.equal(
    code(() => wh.verify("not json", wh.sign("not json"))),
    "invalid_payload",
  );
  assert.match(notJson.message, /signature is valid but the body is not JSON/);

  // svix reads the webhook- names when its own are absent; diagnose agrees.
  const svix = new Webhook(STD_SECRET, { scheme: "svix", now: at(T0) });
  assert.deepEqual(svix.verify(signedBody, h), JSON.parse(signedBody));
  assert.deepEqual(svix.diagnose(signedBody, h), { verified: true, code: null, message: null, findings: [] });
  assert.deepEqual(svix.diagnose(signedBody, { get: (name) => h[name] ?? null }).verified, true);
  assert.equal(
    code(() => svix.verify(signedBody, { "webhook-id": h["webhook-id"] })),
    "missing_header",
  );

  // Headers with only get(name), which verify accepts too.
  const getOnly = { get: (name) => h[name.toLowerCase()] ?? null };
  assert.deepEqual(wh.diagnose(signedBody, getOnly), { verified: true, code: null, message: null, findings: [] });
  const stripeGetOnly = { get: (name) => stripeHeaders[name.toLowerCase()] ?? null };
  assert.deepEqual(
    wh.diagnose(signedBody, stripeGetOnly).findings.map((f) => f.kind),
    ["wrong_scheme"],
  );
  const all = JSON.stringify([reserialized, parsed, stale]);
  assert.ok(!all.includes("MfKQ9r8GKY") && !all.includes(sig));
});

test("no_matching_signature's message points at diagnose()", () => {
  const wh = new Webhook(STD_SECRET);
  assert.throws(() => wh.verify("{}", wh.sign("{ }")), /diagnose\(\)/);
});

test("ReplayGuard drops duplicates within the TTL, bounded in size", () => {
  let now = 0;
  const guard = new ReplayGuard({ ttlSeconds: 10, maxEntries: 3, now: () => now });
  const wh = new Webhook(STD_SECRET);
  const h = wh.sign(BODY, { id: "msg_dup" });
  assert.equal(deliveryId(h), "msg_dup");
  assert.equal(deliveryId(new Headers({ "X-Vector-Delivery": "01J" })), "01J");
  assert.equal(deliveryId({}), null);
  assert.equal(guard.seen(deliveryId(h)), false);
  assert.equal(guard.seen("msg_dup"), true);
  now = 10_000;
  assert.equal(guard.seen("msg_dup"), false, "forgotten after the TTL");
  for (const id of ["a", "b", "c", "d"]) guard.seen(id);
  assert.equal(guard.size, 3);
  assert.equal(guard.seen("msg_dup"), false, "the oldest is evicted first");
  assert.throws(() => guard.seen(""), { code: "invalid_option" });
  // No id header for these: the README's `wh.deliveryId(headers) ?? event.id`. And a
  // header of another scheme, added to a replayed request, is not taken as the id.
  for (const scheme of ["stripe", "vercel", "slack", "generic"]) {
    const signer = new Webhook("s3cret", { scheme });
    assert.equal(deliveryId(signer.sign(BODY)), null, scheme);
    assert.equal(signer.deliveryId({ ...signer.sign(BODY), "webhook-id": "msg_forged" }), null, scheme);
  }
  for (const [scheme, header] of [
    ["standard", "webhook-id"],
    ["svix", "svix-id"],
    ["vector", "x-vector-delivery"],
    ["github", "x-github-delivery"],
    ["shopify", "x-shopify-webhook-id"],
  ]) {
    const signer = new Webhook(scheme === "standard" || scheme === "svix" ? STD_SECRET : "s3cret", { scheme });
    const signed = signer.sign(BODY, { id: "msg_real" });
    assert.equal(signed[header], "msg_real", scheme);
    const replayed = { ...signed, "webhook-id": "msg_a", "svix-id": "msg_b", "x-github-delivery": "msg_c" };
    replayed[header] = "msg_real";
    assert.equal(signer.deliveryId(replayed), "msg_real", scheme);
  }
  // svix read under the webhook- names: their id.
  const svix = new Webhook(STD_SECRET, { scheme: "svix" });
  assert.equal(svix.deliveryId(h), "msg_dup");
  assert.throws(() => new ReplayGuard({ ttlSeconds: 0 }), { code: "invalid_option" });
});
