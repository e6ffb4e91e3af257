// What the API is given, read and checked: bodies as bytes, secrets as keys, headers
// of every shape, options and clocks; the one error class, and the scheme table as the
// header lookup reads it. No rule of a scheme is here: those come from gen/schemes.mjs.
import { PUBLIC_KEY_PREFIX, SCHEMES, SIGNING_KEY_PREFIX } from "../gen/schemes.mjs";

/** The one error this package throws; `code` is stable, `message` is for people. */
export class WebhookVerificationError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "WebhookVerificationError";
    this.code = code;
  }
}

const encoder = new TextEncoder();

export function fail(code, message) {
  throw new WebhookVerificationError(code, message);
}

// A wasm call that fails returns false (or undefined) and keeps its error in the module
// (verifier/src/wasm.rs): this reads it.
export function wasmError(wasm) {
  return new WebhookVerificationError(wasm.errorCode(), wasm.errorMessage());
}

export function describe(value) {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return `an object (${value.constructor?.name ?? "Object"})`;
  return `a ${typeof value}`;
}

export function tag(value) {
  return Object.prototype.toString.call(value);
}

/** The raw bytes of a body given as string, Uint8Array (Buffer), ArrayBuffer or view. */
export function toBytes(body) {
  if (typeof body === "string") return encoder.encode(body);
  if (body instanceof Uint8Array || tag(body) === "[object Uint8Array]") return body;
  if (body instanceof ArrayBuffer || tag(body) === "[object ArrayBuffer]") return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  return fail(
    "invalid_body_type",
    `body must be the raw string or bytes received (string, Uint8Array, Buffer or ArrayBuffer), not ${describe(body)}: ` +
      "a parsed JSON body cannot be verified; read the raw body (e.g. express.raw(), request.arrayBuffer())",
  );
}

/** A `whpk_` public or `whsk_` secret Ed25519 key (standard, svix: `v1a` signatures). */
export function isEd25519Key(key) {
  return typeof key === "string" && (key.startsWith(PUBLIC_KEY_PREFIX) || key.startsWith(SIGNING_KEY_PREFIX));
}

export function toKey(secret) {
  if (typeof secret === "string") return secret;
  if (secret instanceof Uint8Array || secret instanceof ArrayBuffer || ArrayBuffer.isView(secret)) {
    const key = toBytes(secret);
    if (key.length > MAX_WASM_BYTES) fail("invalid_secret", `a key must be at most ${MAX_WASM_BYTES} bytes`);
    return key;
  }
  const unset = secret === undefined ? " (is the environment variable that holds it set?)" : "";
  return fail("invalid_secret", `a secret must be a string or bytes, not ${describe(secret)}${unset}`);
}

/** A case-insensitive getter over Headers, Map, IncomingHttpHeaders or a plain object. */
export function headerReader(headers) {
  if (headers === null || typeof headers !== "object") {
    fail("missing_header", `headers must be a Headers object or a plain object, not ${describe(headers)}`);
  }
  if (typeof headers.get === "function" && !(headers instanceof Map)) {
    return (name) => headers.get(name) ?? undefined;
  }
  if (headers instanceof Map) {
    return (name) => {
      for (const [k, v] of headers) if (typeof k === "string" && k.toLowerCase() === name) return v;
      return undefined;
    };
  }
  // Plain objects: Node's IncomingHttpHeaders keys are already lower-case, so try the
  // exact key first and scan without regard to case only when it is absent.
  return (name) => {
    if (Object.hasOwn(headers, name)) return headers[name];
    for (const k in headers) {
      if (k.length === name.length && k.toLowerCase() === name) return headers[k];
    }
    return undefined;
  };
}

export function headerValue(value) {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(String).join(", ");
  return String(value);
}

export function notJson(error) {
  return `the signature is valid but the body is not JSON: ${error.message}`;
}

/**
 * Every header as a flat [name, value, ...] list, for diagnose (which looks at all of
 * them). An object with only `get(name)` cannot be listed: the headers of every scheme
 * are read from it by name.
 */
export function headerList(headers) {
  const flat = [];
  const push = (k, v) => {
    const value = headerValue(v);
    if (value !== undefined) flat.push(String(k), value);
  };
  if (typeof headers?.entries === "function") {
    for (const [k, v] of headers.entries()) push(k, v);
  } else if (typeof headers?.get === "function") {
    const read = headerReader(headers);
    for (const name of allHeaderNames()) push(name, read(name));
  } else {
    for (const [k, v] of Object.entries(headers ?? {})) push(k, v);
  }
  return flat;
}

/** An options argument must be an object (`null` included in what is refused). */
export function checkOptions(options) {
  if (options === null || typeof options !== "object") {
    fail("invalid_option", `options must be an object, not ${describe(options)}`);
  }
}

/** The `now` clock's reading in milliseconds; `invalid_option` unless a finite number. */
export function nowMs(clock) {
  const t = clock();
  const ms = t instanceof Date ? t.getTime() : typeof t === "number" ? t : NaN;
  if (!Number.isFinite(ms)) {
    const got = t instanceof Date ? "an invalid Date" : typeof t === "number" ? String(t) : describe(t);
    fail(
      "invalid_option",
      `now() must return milliseconds since the epoch (a finite number) or a valid Date, not ${got}`,
    );
  }
  return ms;
}

// The largest buffer a wasm32 module can hold (Rust's isize::MAX there). A longer length
// would also wrap when it crosses into wasm as a 32-bit number.
export const MAX_WASM_BYTES = 2 ** 31 - 1;

export function tooLarge() {
  return new WebhookVerificationError(
    "body_too_large",
    `body is too large for WebAssembly memory (at most ${MAX_WASM_BYTES} bytes in one buffer)`,
  );
}

/**
 * Every scheme, in detection order: its name to the headers it reads, lower-case,
 * signature header first (`names`), and the names it reads instead when that one is
 * absent (`alternate`: svix's `webhook-` headers).
 */
const schemeTable = new Map(
  SCHEMES.map(({ name, headers, alternate }) => [name, { names: headers, alternate: alternate ?? undefined }]),
);
export function schemes() {
  return schemeTable;
}

/** The header names of every scheme, lower-case, once each. */
function allHeaderNames() {
  return [
    ...new Set(
      [...schemes().values()].flatMap(({ names, alternate }) => (alternate ? [...names, ...alternate] : names)),
    ),
  ];
}

/** The name of the scheme whose signature header is present, or null. */
export function detectScheme(headers) {
  return schemeIn(headerReader(headers));
}

export function schemeIn(read) {
  for (const [name, { names }] of schemes()) {
    if (read(names[0]) !== undefined) return name;
  }
  return null;
}

/**
 * Headers that carry a provider's delivery id, kept the same across its retries: every
 * scheme's id header, and its alternate name (svix's webhook-id).
 */
export const DELIVERY_ID_HEADERS = [
  ...new Set(
    SCHEMES.flatMap(({ headers, alternate, id }) => (id === null ? [] : [id, alternate?.[headers.indexOf(id)] ?? id])),
  ),
];

/**
 * The first delivery id header present in `headers` (webhook-id, svix-id,
 * X-Vector-Delivery, ...), or null, whatever the scheme: for logging. To drop duplicates,
 * use `webhook.deliveryId(headers)`, which reads only the scheme's own header.
 */
export function deliveryId(headers) {
  const read = headerReader(headers);
  for (const name of DELIVERY_ID_HEADERS) {
    const value = headerValue(read(name));
    if (value) return value;
  }
  return null;
}
