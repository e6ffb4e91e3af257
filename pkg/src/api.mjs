// The JS shell around the wasm verifier: `Webhook` and `verifyRequest` (what they are
// given is read and checked by input.mjs). Every signature rule lives in Rust
// (verifier/src/scheme/). The one MAC computed here is the runtime's own (node:crypto)
// over a large body, of the bytes wasm says the scheme signs, compared with the header's
// signatures by wasm (`#verifyOnHost`, host.mjs).
import { DEFAULT_TOLERANCE_SECONDS } from "../gen/schemes.mjs";
import { bodyLimit, readBody } from "./body.mjs";
import { hostMac, writeMacs } from "./host.mjs";
import {
  DELIVERY_ID_HEADERS,
  MAX_WASM_BYTES,
  WebhookVerificationError,
  checkOptions,
  describe,
  fail,
  headerList,
  headerReader,
  headerValue,
  isEd25519Key,
  notJson,
  nowMs,
  schemeIn,
  schemes,
  tag,
  toBytes,
  toKey,
  tooLarge,
  wasmError,
} from "./input.mjs";
import { core, host, live, tools } from "./wasm.mjs";

export { WebhookVerificationError, deliveryId, detectScheme } from "./input.mjs";

const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function randomId() {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return "msg_" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Writes `str` as UTF-8 into `view` at `offset`; returns the bytes written. */
function writeString(str, view, offset) {
  return encoder.encodeInto(str, offset === 0 ? view : view.subarray(offset)).written;
}

// The header lengths `#writeRequest` hands to `webhookVerify` (one array, reused).
const lens = new Int32Array(3);

// Frees a Webhook's verifiers in wasm when the Webhook is collected, in the instance that
// holds them if it is still the current one (a handle in a new instance is another's).
const verifiers =
  typeof FinalizationRegistry === "function"
    ? new FinalizationRegistry(({ generation, handle }) => live(generation)?.webhookFree(handle))
    : { register() {} };

/**
 * A keyed verifier in module `wasm`: scheme, tolerance, every key. Returns its handle;
 * it is freed when `owner` is collected.
 */
function newVerifier(owner, wasm, scheme, tolerance, keys) {
  const handle = wasm.webhookNew(scheme, tolerance);
  if (handle === undefined) throw wasmError(wasm);
  for (const key of keys) {
    const ok = typeof key === "string" ? wasm.webhookAddSecret(handle, key) : wasm.webhookAddKey(handle, key);
    if (!ok) {
      const error = wasmError(wasm);
      wasm.webhookFree(handle);
      throw error;
    }
  }
  verifiers.register(owner, { generation: wasm.generation, handle });
  return handle;
}

export class Webhook {
  // The verifier: the bindings of the module instance it was made in, and its handle
  // there; made again when that instance is no longer the current one (wasm.mjs).
  #wasm;
  #handle;
  #ed25519;
  #names;
  #alternateNames;
  #clock;
  // For sign and diagnose, in the tools module: made on their first call.
  #tolerance;
  #keys;
  #toolsWasm;
  #toolsHandle;
  // The MAC by the host (node:crypto) for large bodies, where it has one (host.mjs): made
  // on the first such body, so a Webhook made per request (verifyRequest) for a small
  // body makes no KeyObject.
  #host;

  constructor(secret, options = {}) {
    checkOptions(options);
    const scheme = options.scheme ?? "standard";
    if (typeof scheme !== "string") fail("invalid_option", "scheme must be a string");
    const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
    if (typeof tolerance !== "number") fail("invalid_option", "toleranceSeconds must be a number");
    if (options.now !== undefined && typeof options.now !== "function") {
      fail("invalid_option", "now must be a function returning milliseconds since the epoch or a Date");
    }
    this.#clock = options.now ?? Date.now;
    const secrets = Array.isArray(secret) ? secret : [secret];
    if (secrets.length === 0) fail("invalid_secret", "no secret given");
    // Copies of byte keys: the tools module is keyed later, with the bytes given now.
    const keys = secrets.map(toKey).map((k) => (typeof k === "string" ? k : k.slice()));
    // Ed25519 keys (Standard Webhooks' v1a) are checked by the tools module only: the
    // verify module leaves the curve out to stay small.
    this.#ed25519 = keys.some(isEd25519Key);
    this.#tolerance = tolerance;
    this.#keys = keys;
    /** The scheme's name. */
    this.scheme = scheme.toLowerCase();
    this.#verifier();
    // A valid name: webhookNew took it.
    ({ names: this.#names, alternate: this.#alternateNames } = schemes().get(this.scheme));
  }

  /** The verifier's module (its bindings), with `#handle` made in its current instance. */
  #verifier() {
    const wasm = this.#ed25519 ? tools() : core();
    if (wasm !== this.#wasm) {
      this.#handle = newVerifier(this, wasm, this.scheme, this.#tolerance, this.#keys);
      this.#wasm = wasm;
    }
    return wasm;
  }

  /** The tools module, and this Webhook's verifier there (made on first use). */
  #tools() {
    const wasm = tools();
    if (wasm === this.#verifier()) return [wasm, this.#handle];
    if (wasm !== this.#toolsWasm) {
      this.#toolsHandle = newVerifier(this, wasm, this.scheme, this.#tolerance, this.#keys);
      this.#toolsWasm = wasm;
    }
    return [wasm, this.#toolsHandle];
  }

  /** Checks the signature and timestamp of `body`; throws WebhookVerificationError. */
  verifySignature(body, headers) {
    const read = typeof headers === "string" ? this.#signatureHeaderOnly(headers) : headerReader(headers);
    // Alternate names' values go in the same places: wasm reads them as the usual ones.
    const names = this.#namesIn(read);
    const h0 = headerValue(read(names[0]));
    const h1 = names.length > 1 ? headerValue(read(names[1])) : undefined;
    const h2 = names.length > 2 ? headerValue(read(names[2])) : undefined;
    const now = Math.floor(nowMs(this.#clock) / 1000);
    const wasm = this.#verifier();
    const native = host();
    if (native !== undefined && !this.#ed25519) {
      const data = typeof body === "string" ? body : toBytes(body);
      if (data.length >= native.minLength) {
        this.#host ??= hostMac(native, wasm, this.scheme, this.#keys, wasmError);
        // The limit of the wasm path, kept: both paths take the same bodies.
        if (data.length > MAX_WASM_BYTES) throw tooLarge();
        if (!this.#verifyOnHost(wasm, data, h0, h1, h2, now)) {
          throw this.#explained(wasmError(wasm), read, typeof headers === "string");
        }
        return;
      }
    }
    const bodyLen = this.#writeRequest(body, h0, h1, h2);
    if (!wasm.webhookVerify(this.#handle, bodyLen, lens[0], lens[1], lens[2], now)) {
      throw this.#explained(wasmError(wasm), read, typeof headers === "string");
    }
  }

  // The verify of a large body where the runtime has a native HMAC: wasm reads the header
  // values and says which bytes the scheme signs before the body; node:crypto computes the
  // MAC of those bytes and the body with every key (all of them, whichever matches); wasm
  // compares the MACs with the header's signatures in constant time and checks the
  // timestamp. The body never enters wasm memory. `false`: the error is kept in wasm.
  #verifyOnHost(wasm, body, h0, h1, h2, now) {
    const handle = this.#handle;
    const tags = this.#host.keys.length * this.#host.tagLen;
    // Room after the headers (3 bytes per UTF-16 unit at most) for the signed prefix (at
    // most the headers' bytes and a few separators), then for the MACs.
    const room = 3 * ((h0?.length ?? 0) + (h1?.length ?? 0) + (h2?.length ?? 0)) + 16 + tags;
    let view = this.#writeRequest("", h0, h1, h2, room);
    const end = Math.max(lens[0], 0) + Math.max(lens[1], 0) + Math.max(lens[2], 0);
    const prefixLen = wasm.webhookSignedPrefix(handle, lens[0], lens[1], lens[2]);
    if (prefixLen < 0) return false;
    // A call that grew wasm memory detached the views on it (their length is then 0).
    if (view.length === 0) view = this.#buffer(end + room);
    // A copy: the MACs go where the prefix is.
    writeMacs(this.#host, view.slice(end, end + prefixLen), body, view, end);
    const ok = wasm.webhookVerifyTags(handle, lens[0], lens[1], lens[2], tags, now);
    if (view.length === 0) view = this.#buffer(end + room);
    view.fill(0, end, end + tags);
    return ok;
  }

  // A string for the headers is the signature header's value (as stripe-node's
  // constructEvent takes it): enough for the schemes that read nothing else.
  #signatureHeaderOnly(value) {
    const name = this.#names[0];
    return (n) => (n === name ? value : undefined);
  }

  // A missing signature header when another scheme's is there: the receiver and the
  // sender disagree on the scheme, which the message then says.
  #explained(error, read, headerString) {
    if (error.code === "missing_header" && headerString) {
      error.message +=
        `; a string is read as the ${this.#names[0]} header's value, and the ${this.scheme} scheme also needs ` +
        `${this.#names.slice(1).join(", ")}: pass the request's headers (Headers, a Map or an object)`;
    } else if (error.code === "missing_header" && read(this.#namesIn(read)[0]) === undefined) {
      const other = schemeIn(read);
      if (other !== null && other !== this.scheme) {
        error.message += `; the headers carry the ${other} scheme's signature: new Webhook(secret, { scheme: "${other}" })`;
      }
    }
    return error;
  }

  // Writes the body and the header values straight into the verifier's reusable wasm
  // buffer (bytes with one copy; strings with encodeInto), so nothing is allocated inside
  // wasm per verify. Returns the body's length; the headers' lengths (-1: absent) go to
  // `lens`. The buffer grows to the largest request seen and wasm memory never shrinks, so
  // a string body first gets room for one byte per UTF-16 unit (what ASCII JSON needs);
  // only if it does not fit is the buffer grown for the rest, at most 3 bytes per unit.
  // A UTF-16 unit is at most 3 bytes of UTF-8, so the header values always get 3 bytes per
  // unit after the body, whatever room the body took: encodeInto truncates silently.
  // `room`: bytes to leave free after the headers; `#verifyOnHost` asks for the view back.
  #writeRequest(body, h0, h1, h2, room = 0) {
    const bytes = typeof body === "string" ? undefined : toBytes(body);
    const headerCapacity = 3 * ((h0?.length ?? 0) + (h1?.length ?? 0) + (h2?.length ?? 0));
    let view = this.#buffer((bytes ? bytes.length : body.length) + headerCapacity + room);
    let offset;
    if (bytes) {
      view.set(bytes);
      offset = bytes.length;
    } else {
      const { read, written } = encoder.encodeInto(body, view);
      offset = written;
      if (read < body.length) {
        view = this.#buffer(written + 3 * (body.length - read) + headerCapacity); // the bytes written so far stay
        offset += writeString(body.slice(read), view, offset);
      }
    }
    // Multi-byte text in a string body can fill the room meant for the headers.
    if (view.length - offset < headerCapacity) view = this.#buffer(offset + headerCapacity);
    const bodyLen = offset;
    lens[0] = h0 === undefined ? -1 : h0.length;
    lens[1] = h1 === undefined ? -1 : h1.length;
    lens[2] = h2 === undefined ? -1 : h2.length;
    // One write for all three: if the bytes written equal the characters, every value is
    // ASCII (the usual case) and its byte length is its length.
    const joined = (h0 ?? "") + (h1 ?? "") + (h2 ?? "");
    if (joined.length > 0 && writeString(joined, view, offset) !== joined.length) {
      if (h0 !== undefined) offset += lens[0] = writeString(h0, view, offset);
      if (h1 !== undefined) offset += lens[1] = writeString(h1, view, offset);
      if (h2 !== undefined) lens[2] = writeString(h2, view, offset);
    }
    return room === 0 ? bodyLen : view;
  }

  /** The request buffer, grown to at least `capacity` bytes, as a view. */
  #buffer(capacity) {
    if (capacity > MAX_WASM_BYTES) throw tooLarge();
    const ptr = this.#wasm.requestBuffer(capacity);
    if (ptr === 0) throw wasmError(this.#wasm);
    return new Uint8Array(this.#wasm.memory.buffer, ptr, capacity);
  }

  /**
   * The delivery id in this scheme's own id header (standard: webhook-id, svix: svix-id or
   * webhook-id, vector: X-Vector-Delivery, github: X-GitHub-Delivery, shopify:
   * X-Shopify-Webhook-Id), or null: stripe, vercel, slack and generic send none. Headers
   * of other schemes are ignored, so a header added to a replayed request cannot stand in
   * for the real one.
   */
  deliveryId(headers) {
    const read = headerReader(headers);
    const name = this.#namesIn(read).find((n) => DELIVERY_ID_HEADERS.includes(n));
    return (name !== undefined && headerValue(read(name))) || null;
  }

  /**
   * The header names a request uses: the scheme's, or its alternate set (svix's `webhook-`
   * names) when only that set's signature header is present, as `Rules::read` decides.
   */
  #namesIn(read) {
    const alternate = this.#alternateNames;
    if (alternate !== undefined && read(this.#names[0]) === undefined && read(alternate[0]) !== undefined) {
      return alternate;
    }
    return this.#names;
  }

  /** Verifies, then returns the body parsed as JSON. */
  verify(body, headers) {
    this.verifySignature(body, headers);
    try {
      return JSON.parse(typeof body === "string" ? body : strictUtf8.decode(toBytes(body)));
    } catch (e) {
      return fail("invalid_payload", notJson(e));
    }
  }

  /**
   * The signature doctor. Never throws: verifies, and when that fails, reports which known
   * mistake would have matched (a re-serialized body, a changed newline, the secret in
   * another form, another scheme's rule, a timestamp in milliseconds, clock skew).
   */
  diagnose(body, headers) {
    const findings = [];
    let bytes;
    let bodyError;
    if (
      body !== null &&
      typeof body === "object" &&
      !ArrayBuffer.isView(body) &&
      tag(body) !== "[object ArrayBuffer]"
    ) {
      try {
        toBytes(body);
      } catch (e) {
        bodyError = e;
      }
      findings.push({
        kind: "parsed_body",
        message:
          "the body is an already parsed object, not the raw bytes received; the findings below are for " +
          "JSON.stringify(body). Verify the raw body (express.raw(), await request.arrayBuffer())",
      });
      try {
        bytes = encoder.encode(JSON.stringify(body));
      } catch {
        bytes = new Uint8Array();
      }
    } else {
      try {
        bytes = toBytes(body);
      } catch (e) {
        return { verified: false, code: e.code, message: e.message, findings };
      }
    }
    let flat = [];
    try {
      flat = headerList(headers);
    } catch {
      // Unreadable headers: diagnose what we have.
    }
    let now;
    try {
      now = Math.floor(nowMs(this.#clock) / 1000);
      if (bytes.length > MAX_WASM_BYTES) throw tooLarge();
    } catch (e) {
      if (!(e instanceof WebhookVerificationError)) throw e; // the clock threw
      return { verified: false, code: e.code, message: e.message, findings };
    }
    let report;
    try {
      const [wasm, handle] = this.#tools();
      report = wasm.webhookDiagnose(handle, bytes, flat, now);
    } catch (e) {
      report = this.#undiagnosed(bytes, headers, e);
    }
    report.code ??= null;
    report.message ??= null;
    if (bodyError) {
      // What verify says of a parsed body, whatever JSON.stringify(body) would have done.
      report.findings.unshift(...findings);
      Object.assign(report, { verified: false, code: bodyError.code, message: bodyError.message });
    } else if (report.verified) {
      try {
        JSON.parse(strictUtf8.decode(bytes));
      } catch (e) {
        Object.assign(report, { verified: false, code: "invalid_payload", message: notJson(e) });
      }
    }
    return report;
  }

  // The report when the tools module failed (wasm.mjs replaces its instance): what verify
  // says, and that the doctor's checks did not run.
  #undiagnosed(bytes, headers, error) {
    const report = {
      verified: true,
      code: null,
      message: null,
      findings: [
        {
          kind: "doctor_failed",
          message: `the signature doctor failed (${error.cause ?? error}), so its checks were skipped; the next call runs on a new instance of its module`,
        },
      ],
    };
    try {
      this.verifySignature(bytes, headers);
    } catch (e) {
      Object.assign(report, { verified: false, code: e.code ?? null, message: String(e.message ?? e) });
    }
    return report;
  }

  /**
   * The headers (lower-case names) that make `verify` accept `body`. `id` defaults to a
   * random `msg_...`, `timestamp` (seconds or a Date) to now.
   */
  sign(body, options = {}) {
    checkOptions(options);
    const bytes = toBytes(body);
    const id = options.id ?? randomId();
    if (typeof id !== "string") fail("invalid_option", "id must be a string");
    let ts = options.timestamp ?? Math.floor(nowMs(this.#clock) / 1000);
    if (ts instanceof Date) ts = Math.floor(ts.getTime() / 1000);
    if (typeof ts !== "number") fail("invalid_option", "timestamp must be a number of seconds or a Date");
    if (bytes.length > MAX_WASM_BYTES) throw tooLarge();
    const [wasm, handle] = this.#tools();
    const signed = wasm.webhookSign(handle, bytes, id, ts);
    if (signed === undefined) throw wasmError(wasm);
    return signed;
  }
}

/**
 * Verifies a Fetch API Request (Workers, Deno, Bun, Next.js, Hono) and returns the event.
 * Reads the body once, as bytes, at most `options.limit` of them (default 1 MiB).
 */
export async function verifyRequest(request, secret, options = {}) {
  if (!request || typeof request.arrayBuffer !== "function") {
    fail("invalid_body_type", `verifyRequest needs a Fetch API Request, not ${describe(request)}`);
  }
  const wh = new Webhook(secret, options);
  const body = await readBody(request, bodyLimit(options, WebhookVerificationError), WebhookVerificationError);
  return wh.verify(body, request.headers);
}
