// Helpers of the playground (no DOM): header parsing, plain-words error explanations,
// curl rendering (curl.mjs, shared with the dashboard). What they know of the schemes comes from the crate: the generated table
// (pkg/gen/schemes.mjs) and the tools module's header-block parser (the one the sender's
// doctor uses), which the page's package import (pkg/src/browser.mjs) instantiates. Node
// can import this file too, after `initSync` of that module.
import { parseHeaderBlock } from "../pkg/gen/hookproof_tools.mjs";
import { MAX_TIMESTAMP_DIGITS, SCHEMES } from "../pkg/gen/schemes.mjs";

/** The schemes' names, in the order detection tries them. */
export const SCHEME_NAMES = SCHEMES.map((scheme) => scheme.name);
export { DEFAULT_TOLERANCE_SECONDS } from "../pkg/gen/schemes.mjs";
export { curlCommand, shellQuote } from "./curl.mjs";

/**
 * Headers as pasted from logs: `Name: value` lines, read by the crate's `HeaderBlock`
 * (a request line, curl -v prefixes, CRLF and blank lines are fine; other lines are
 * skipped). Also a JSON object (`{"name": "value"}`; a null value is no header, as for the
 * package) and a curl command (`-H 'Name: value'` / `--header "Name: value"`, e.g. the
 * Sign tab's or a browser's "Copy as cURL"). Repeated names are joined with ", " as HTTP
 * does. Returns { headers: Map(lower-name -> value), names: Map(lower -> as written),
 * skipped: [lines], body: the curl command's data when it is one literal string, else null }.
 */
export function parseHeaders(text) {
  const headers = new Map();
  const names = new Map();
  const skipped = [];
  const add = (name, value) => {
    const key = name.trim().toLowerCase();
    if (!key) return;
    const v = String(value).trim();
    if (headers.has(key)) headers.set(key, `${headers.get(key)}, ${v}`);
    else {
      headers.set(key, v);
      names.set(key, name.trim());
    }
  };
  // `Name: value` lines; returns the lines that are not headers.
  const addBlock = (lines) => {
    const block = parseHeaderBlock(lines);
    for (const [name, value] of block.headers) add(name, value);
    return block.skipped.map(([, line]) => line);
  };
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    try {
      const obj = JSON.parse(trimmed);
      for (const [k, v] of Object.entries(obj)) {
        if (v !== null) add(k, Array.isArray(v) ? v.join(", ") : v);
      }
      return { headers, names, skipped, body: null };
    } catch {
      // not JSON after all: read it as lines
    }
  }
  if (/^(\$\s*)?curl\s/.test(trimmed) || /^\s*(-H|--header)\s/m.test(text)) {
    const { headerLines, data, ignored } = readCurl(text);
    for (const line of addBlock(headerLines.join("\n"))) skipped.push(`-H ${line}`);
    skipped.push(...ignored);
    return { headers, names, skipped, body: data };
  }
  skipped.push(...addBlock(text));
  return { headers, names, skipped, body: null };
}

// The curl options whose next word is the body, sent as written (unless it starts with @).
const CURL_DATA = new Set(["-d", "--data", "--data-raw", "--data-binary", "--data-ascii"]);

/**
 * The `-H`/`--header` values and the body of a curl command. The body is only read when
 * it is one literal string: a file (`@file`), --data-urlencode or several data options
 * (which curl joins with `&`) are listed in `ignored` for the user to paste the body.
 */
function readCurl(text) {
  const words = shellWords(text);
  const headerLines = [];
  const datas = [];
  const ignored = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === "-H" || w === "--header") headerLines.push(words[++i] ?? "");
    else if (/^-H./.test(w)) headerLines.push(w.slice(2));
    else if (CURL_DATA.has(w)) datas.push([w, words[++i] ?? ""]);
    else if (/^-d./.test(w)) datas.push(["-d", w.slice(2)]);
    else if (w.startsWith("--data")) ignored.push(`${w} ${words[++i] ?? ""}`);
  }
  const literal = ([option, value]) => option === "--data-raw" || !value.startsWith("@");
  if (datas.length === 1 && literal(datas[0]) && ignored.length === 0) {
    return { headerLines, data: datas[0][1], ignored };
  }
  ignored.push(...datas.map(([option, value]) => `${option} ${value}`));
  return { headerLines, data: null, ignored };
}

const ANSI_C = { n: "\n", r: "\r", t: "\t", e: "\x1b", a: "\x07", b: "\b", f: "\f", v: "\v", 0: "\0" };

/**
 * A POSIX shell command line split into words as the shell would: '…' literal, "…" with
 * \" \\ \$ \` escapes, $'…' with C escapes (browsers' "Copy as cURL" uses it for bodies
 * with control characters), backslash-newline as a line continuation.
 */
export function shellWords(text) {
  const words = [];
  let word = null;
  const push = (s) => (word = (word ?? "") + s);
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") {
      const next = text[++i] ?? "";
      if (next === "\r" && text[i + 1] === "\n") i++;
      else if (next !== "\n") push(next);
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      push(text.slice(i + 1, end < 0 ? text.length : end));
      i = end < 0 ? text.length : end;
    } else if (c === '"') {
      push("");
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === "\\" && '"\\$`'.includes(text[i + 1])) i++;
        else if (text[i] === "\\" && text[i + 1] === "\n") {
          i++;
          continue;
        }
        push(text[i]);
      }
    } else if (c === "$" && text[i + 1] === "'") {
      push("");
      for (i += 2; i < text.length && text[i] !== "'"; i++) {
        if (text[i] !== "\\") {
          push(text[i]);
          continue;
        }
        const e = text[++i] ?? "";
        const hex = /^(x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8})/.exec(text.slice(i));
        if (hex) {
          push(String.fromCodePoint(parseInt(hex[0].slice(1), 16)));
          i += hex[0].length - 1;
        } else push(ANSI_C[e] ?? e);
      }
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else push(c);
  }
  if (word !== null) words.push(word);
  return words;
}

// Unix seconds as typed: whole, and at most the digits a signed timestamp may have, every
// value of which a JavaScript number holds exactly, so every figure shown is the one typed.
const UNIX_SECONDS = new RegExp(`^\\d{1,${MAX_TIMESTAMP_DIGITS}}$`);

/** Whole Unix seconds (at most MAX_TIMESTAMP_DIGITS digits) as a number, or null. */
export function unixSeconds(text) {
  const t = String(text).trim();
  return UNIX_SECONDS.test(t) ? Number(t) : null;
}

/** One sentence per error code (ERROR_CODES): what it means and what usually causes it. */
export const EXPLANATIONS = {
  missing_header:
    "A header this scheme needs is not in the pasted headers. Check the scheme, and that the whole header block was copied.",
  invalid_header:
    "A signature or timestamp header is there but not in the scheme's format (e.g. a missing v1, / t= / sha256= prefix, or a truncated value).",
  invalid_timestamp: "The timestamp header is not whole Unix seconds.",
  timestamp_too_old:
    'The signature may be right, but the delivery is older than the tolerance: a replay, a stale log, or a clock that is off. To check an old delivery, set "now" to its timestamp or raise the tolerance.',
  timestamp_too_new:
    'The timestamp is further in the future than the tolerance allows: the sender\'s clock (or "now" here) is off.',
  no_matching_signature:
    "No signature in the header matches this body with this secret. Usual causes: the body is not the exact raw bytes (re-serialized JSON, changed whitespace or line endings), the wrong secret (test vs live, another endpoint), or the wrong scheme.",
  invalid_secret:
    "The secret is not usable for this scheme: Standard Webhooks and Svix secrets are whsec_ followed by base64.",
  invalid_payload: "The signature is valid, but the body is not JSON.",
  invalid_body_type: "The body is not raw bytes.",
  body_too_large: "The body is larger than the WebAssembly verifier's memory can hold (about 2 GiB).",
  invalid_option: "An option is wrong (unknown scheme, or a negative tolerance).",
};

/** Unix seconds as an ISO date, or "" when not a number or past what a Date holds. */
export function isoSeconds(s) {
  const n = Number(s);
  if (!Number.isFinite(n) || String(s).trim() === "") return "";
  const d = new Date(n * 1000);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString().replace(".000Z", "Z");
}

/**
 * The signed timestamp of the first scheme, in detection order, whose timestamp is in the
 * parsed headers (a Map of lower-case names): a header's whole value, or the `key=` item
 * of its comma-separated list (Stripe's `t=`), as the scheme table says.
 */
export function deliveryTimestamp(headers) {
  for (const { timestamp } of SCHEMES) {
    if (timestamp === null) continue;
    const value = headers.get(timestamp.header) ?? "";
    const prefix = `${timestamp.item}=`;
    const raw =
      timestamp.item === null
        ? value
        : value
            .split(",")
            .map((item) => item.trim())
            .find((item) => item.startsWith(prefix))
            ?.slice(prefix.length);
    const t = unixSeconds(raw ?? "");
    if (t !== null) return t;
  }
  return null;
}
