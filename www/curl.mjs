// curl commands that send a request as it was, for the playground's Sign tab and the
// dashboard's "Copy as curl". No DOM and no imports: Node can run it as it is.

/** A character a terminal or a shell may not take literally inside '…': a C0 control but the newline, or DEL. */
const isControl = (c) => (c < " " && c !== "\n") || c === "\x7f";

/**
 * A word for a POSIX shell: as it is when plainly safe, else single-quoted; one holding
 * control characters is $'…'-quoted with escapes (bash, zsh, ksh, POSIX 2024 sh), so a
 * tab or carriage return survives a paste. Unicode is kept as it is. A NUL cannot be in an
 * argument at all: `curlCommand` pipes such a body instead.
 */
export function shellQuote(s) {
  if (/^[A-Za-z0-9_\-.,:/=+@%]+$/.test(s)) return s;
  if (![...s].some(isControl)) return `'${s.replace(/'/g, `'\\''`)}'`;
  const escaped = [...s]
    .map((c) =>
      c === "\\" || c === "'"
        ? `\\${c}`
        : isControl(c) || c === "\n"
          ? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`
          : c,
    )
    .join("");
  return `$'${escaped}'`;
}

// The headers curl adds on its own, which a request it reproduces must not carry unless
// they were sent: `-H 'Name:'` drops one.
const CURL_OWN = ["Accept", "User-Agent", "Expect"];

/**
 * A curl command POSTing `body` byte for byte with `headers` (an object, or [name, value]
 * pairs in order). `exact`: also keep curl from adding its own headers (Accept, User-Agent,
 * Expect: 100-continue) and speak HTTP/1.1, so that the request is the one given: the same
 * bytes and the same headers in the same order, with Host and Content-Length, which every
 * client adds (curl puts Host first). `user`: sent with `-u`, so that curl asks for the
 * password when run and sends `Authorization: Basic` (after Host, before the headers). A
 * body holding a NUL is piped in through printf.
 */
export function curlCommand(url, headers, body, { exact = false, user = null } = {}) {
  const pairs = Array.isArray(headers) ? headers : Object.entries(headers);
  const lines = [`curl -sS -X POST ${shellQuote(url || "http://localhost:3000/webhook")}`];
  if (exact) lines.push("  --http1.1");
  else lines.push(`  -H ${shellQuote("content-type: application/json")}`);
  if (user !== null) lines.push(`  -u ${shellQuote(user)}`);
  // An empty value is written `Name;` (`Name:` would drop the header).
  for (const [k, v] of pairs) lines.push(`  -H ${shellQuote(v === "" ? `${k};` : `${k}: ${v}`)}`);
  if (exact) {
    const sent = new Set(pairs.map(([k]) => k.toLowerCase()));
    for (const k of CURL_OWN) if (!sent.has(k.toLowerCase())) lines.push(`  -H ${shellQuote(`${k}:`)}`);
  }
  if (body.includes("\0")) {
    // printf's %b reads \\ and \0nnn escapes, and every other byte as it is.
    const escaped = body.replace(/\\/g, "\\\\").replace(/\0/g, "\\0000");
    lines.push("  --data-binary @-");
    return `printf '%b' ${shellQuote(escaped)} | ${lines.join(" \\\n")}`;
  }
  // --data-binary sends the bytes as they are (plain -d would strip newlines).
  lines.push(`  --data-binary ${shellQuote(body)}`);
  return lines.join(" \\\n");
}
