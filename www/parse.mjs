// Pure helpers of the playground (no DOM, no wasm): header parsing, plain-words error
// explanations, curl rendering. Node can import this file too.

/**
 * Headers as pasted from logs: `Name: value` lines. Tolerates a request line
 * (`POST /hook HTTP/1.1`), curl -v prefixes (`> `), CRLF, blank lines, and a JSON object
 * (`{"name": "value"}`) instead of lines. Repeated names are joined with ", " as HTTP does.
 * Returns { headers: Map(lower-name -> value), names: Map(lower -> as written), skipped: [lines] }.
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
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    try {
      const obj = JSON.parse(trimmed);
      for (const [k, v] of Object.entries(obj)) add(k, Array.isArray(v) ? v.join(", ") : v);
      return { headers, names, skipped };
    } catch {
      // not JSON after all: read it as lines
    }
  }
  for (let line of text.split(/\r?\n/)) {
    line = line.replace(/^\s*[<>]\s?/, "");
    if (!line.trim()) continue;
    if (/^[A-Z]+ \S+ HTTP\/\d/.test(line) || /^HTTP\/\d/.test(line)) {
      skipped.push(line);
      continue;
    }
    const colon = line.indexOf(":");
    // A header name is a token: no spaces. Anything else is noise from the log.
    if (colon <= 0 || /\s/.test(line.slice(0, colon).trim())) {
      skipped.push(line);
      continue;
    }
    add(line.slice(0, colon), line.slice(colon + 1));
  }
  return { headers, names, skipped };
}

/** One sentence per error code: what it means and what usually causes it. */
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
  invalid_option: "An option is wrong (unknown scheme, or a negative tolerance).",
};

/** A word for the shell: single-quoted unless it is plainly safe. */
export function shellQuote(s) {
  if (/^[A-Za-z0-9_\-.,:/=+@%]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A curl command POSTing `body` byte for byte with `headers`. */
export function curlCommand(url, headers, body) {
  const lines = [`curl -sS -X POST ${shellQuote(url || "http://localhost:3000/webhook")}`];
  lines.push(`  -H ${shellQuote("content-type: application/json")}`);
  for (const [k, v] of Object.entries(headers)) lines.push(`  -H ${shellQuote(`${k}: ${v}`)}`);
  // --data-binary sends the bytes as they are (plain -d would strip newlines).
  lines.push(`  --data-binary ${shellQuote(body)}`);
  return lines.join(" \\\n");
}

/** Unix seconds as an ISO date, or "" when not a number. */
export function isoSeconds(s) {
  const n = Number(s);
  if (!Number.isFinite(n) || String(s).trim() === "") return "";
  const d = new Date(n * 1000);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString().replace(".000Z", "Z");
}

/** A Stripe-like `t=` timestamp, or a plain numeric header, from the parsed headers. */
export function deliveryTimestamp(headers) {
  for (const name of ["webhook-timestamp", "svix-timestamp", "x-slack-request-timestamp"]) {
    const v = headers.get(name);
    if (v && /^\d+$/.test(v.trim())) return Number(v.trim());
  }
  for (const name of ["stripe-signature", "x-vector-signature"]) {
    const m = /(?:^|,)\s*t=(\d+)/.exec(headers.get(name) ?? "");
    if (m) return Number(m[1]);
  }
  return null;
}
