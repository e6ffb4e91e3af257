// One attempt, every byte of it: the request line, the headers the sender set, the exact
// body (pretty and raw), the answer's status, headers and captured body, and "Copy as curl",
// which sends the same request again (the same bytes, the same signature: within the
// receiver's tolerance it verifies).
import { $, copyButton, el, headerTable, morphChildren } from "./dom.mjs";
import { curlCommand, shellQuote } from "./curl.mjs";
import { badge, chaosBadge, clock, deepLink } from "./dashboard-view.mjs";

/** The sender reads at most this much of an answer (mock-sender's attempt log). */
const RESPONSE_BODY_BYTES = 4096;

const utf8 = new TextEncoder();

/**
 * `text` re-indented for reading when it is JSON, else null. Only whitespace between
 * tokens changes: strings and numbers keep their text (a big integer keeps its digits).
 */
export function prettyJson(text) {
  try {
    JSON.parse(text);
  } catch {
    return null;
  }
  let out = "";
  let depth = 0;
  const newline = () => "\n" + "  ".repeat(depth);
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
    } else if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      const rest = text.slice(i + 1).trimStart();
      if (rest[0] === close) {
        out += c + close;
        i = text.indexOf(close, i + 1);
      } else {
        depth++;
        out += c + newline();
      }
    } else if (c === "}" || c === "]") {
      depth--;
      out += newline() + c;
    } else if (c === ",") out += "," + newline();
    else if (c === ":") out += ": ";
    else if (!/\s/.test(c)) out += c;
  }
  return out;
}

/** `POST /path?query HTTP/1.1`: the request line of an attempt to `url`. */
export function requestLine(url) {
  try {
    const u = new URL(url);
    return `POST ${u.pathname}${u.search} HTTP/1.1`;
  } catch {
    return `POST ${url} HTTP/1.1`;
  }
}

/** What the sender shows in place of a credential (mock-sender's mask.rs). */
const MASK = "••••";

/**
 * The curl command that sends attempt `a` again, byte for byte, with delivery body `body`,
 * and `note`: what it cannot hold, or "". The page never has a URL's credentials (the
 * sender shows them masked), and a command that sent the mask would fail without saying
 * why. So a masked password (`user:••••@`) becomes `-u user`: curl asks for it when run and
 * sends the Authorization the logged `Basic ••••` stood for. Any other mask left (a user
 * alone, which is often a token; a query token) is named in the note, to be put in.
 */
export function attemptCurl(a, body) {
  let url = a.url;
  let headers = a.request_headers;
  let user = null;
  const notes = [];
  // The userinfo: from :// to the authority's last @, as the sender reads it.
  const userinfo = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i.exec(url);
  if (userinfo) {
    // curl makes Authorization from the URL or -u; the masked one logged would override it.
    headers = headers.filter(([k, v]) => !(k.toLowerCase() === "authorization" && v === `Basic ${MASK}`));
    const [, scheme, info] = userinfo;
    const colon = info.indexOf(":");
    let name = null;
    try {
      name = colon > 0 && info.slice(colon + 1) === MASK ? decodeURIComponent(info.slice(0, colon)) : null;
    } catch {
      // Not percent-encoding curl could take: left in the URL, with the note.
    }
    if (name !== null && !name.includes(":") && !name.includes(MASK)) {
      user = name;
      url = scheme + url.slice(userinfo[0].length);
      notes.push(`The URL's password is masked here: curl asks for it when run (-u ${shellQuote(user)}).`);
    }
  }
  if (url.includes(MASK) || headers.some(([, v]) => v.includes(MASK)))
    notes.push(`Credentials are masked here (${MASK}): put them in before running the command.`);
  return { command: curlCommand(url, headers, body, { exact: true, user }), note: notes.join(" ") };
}

/** The headers as a table, or "None.". */
const headers = (id, label, list) =>
  list.length ? headerTable(list, { id, "aria-label": label }) : el("p", { class: "empty", id }, "None.");

/** The body as text: the pretty view when it is JSON and asked for, else as sent. */
function bodyBlock(id, text, view, label) {
  const pretty = view === "pretty" ? prettyJson(text) : null;
  return el(
    "pre",
    { class: "out body", id, "data-view": pretty === null ? "raw" : "pretty", "aria-label": label, tabindex: "0" },
    pretty ?? text,
  );
}

/**
 * The attempt `state.attempt` (by id) of the selected delivery, or its last one, into
 * #attempt-detail. `state.body`: the delivery's body (null while it loads), `state.bodyView`
 * `pretty` or `raw`. `actions.selectAttempt(id)`, `actions.bodyView(view)`.
 */
export function renderAttempt(state, actions) {
  const box = $("attempt-detail");
  if (!box) return;
  const d = state.selectedDelivery;
  const attempts = d ? state.attempts.filter((a) => a.delivery_id === d.id) : [];
  const a = attempts.find((x) => x.id === state.attempt) ?? attempts.at(-1);
  if (!a) {
    morphChildren(box, []);
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const body = state.body;
  const bytes = body === null ? null : utf8.encode(body).length;
  const name = a.chaos ? `${a.chaos} request after attempt ${a.attempt}` : `attempt ${a.attempt}`;
  const curl = body === null || !a.request_headers.length ? { command: "", note: "" } : attemptCurl(a, body);
  const curlText = curl.command;
  const curlButton = copyButton("copy-curl", `Copy ${name} as curl`, curlText, "attempt-copied", "Copy as curl");
  curlButton.disabled = curlText === "";
  if (!a.request_headers.length) curlButton.title = "nothing was sent: no request to copy";
  if (curl.note) curlButton.setAttribute("aria-describedby", "curl-note");
  const viewButton = (view, text) =>
    el(
      "button",
      {
        type: "button",
        class: "small",
        id: `body-${view}`,
        "aria-pressed": String(state.bodyView === view),
        onclick: () => actions.bodyView(view),
      },
      text,
    );
  const response = a.response_body ?? "";
  const capped = utf8.encode(response).length >= RESPONSE_BODY_BYTES;

  // In place: a copy button or an opened <details> stays as it is while the attempt updates.
  morphChildren(
    box,
    [
      el(
        "div",
        { class: "row" },
        el(
          "h3",
          { class: "grow", id: "attempt-title", tabindex: "-1" },
          a.chaos ? chaosBadge(a) : `Attempt #${a.attempt}`,
          " ",
          el("span", { class: "hint mono" }, clock(a.at)),
        ),
        curlButton,
        el("a", { href: deepLink(d.id, a.id), id: "attempt-link", title: "a link that opens this attempt" }, "Link"),
      ),
      curl.note ? el("p", { class: "hint masked", id: "curl-note" }, curl.note) : null,
      el(
        "div",
        { class: "id-line" },
        el("span", { class: "hint mono", id: "attempt-id" }, a.id),
        copyButton("copy-attempt-id", `Copy the attempt id ${a.id}`, a.id, "attempt-copied"),
      ),
      el("p", { class: "toast", id: "attempt-copied", role: "status", "data-keep-content": "" }),

      el("h4", {}, "Request"),
      el("pre", { class: "out", id: "attempt-request-line" }, requestLine(a.url)),
      el("p", { class: "hint mono trunc-none" }, a.url),
      headers("attempt-request-headers", `Request headers of ${name}`, a.request_headers),
      el(
        "p",
        { class: "hint" },
        a.request_headers.length
          ? `The HTTP client also sends host, content-length${bytes === null ? "" : ` (${bytes})`} and hookproof-sender-hop (the sender's loop mark). Signatures are shown; secrets never are.`
          : "Nothing was sent (see the error below).",
      ),
      el(
        "div",
        { class: "row body-head" },
        el("h4", { class: "grow" }, "Body ", el("span", { class: "hint" }, bytes === null ? "" : `${bytes} bytes`)),
        el(
          "div",
          { class: "actions", role: "group", "aria-label": "Body view" },
          viewButton("pretty", "Pretty"),
          viewButton("raw", "Raw"),
        ),
      ),
      body === null
        ? el("p", { class: "empty" }, "Loading the body…")
        : bodyBlock("attempt-body", body, state.bodyView, `Body of ${name}`),

      el("h4", {}, "Response"),
      el(
        "p",
        { id: "attempt-status" },
        a.status_code !== null
          ? badge(String(a.status_code), a.ok ? "success" : "failed")
          : badge(a.outcome.replace("_", " "), "failed"),
        ` in ${a.response_time_ms} ms`,
        a.error ? el("span", { class: "err" }, ` · ${a.error}`) : null,
      ),
      headers("attempt-response-headers", `Response headers of ${name}`, a.response_headers ?? []),
      a.response_body === null
        ? el("p", { class: "empty", id: "attempt-response-body" }, "No answer.")
        : bodyBlock("attempt-response-body", response, state.bodyView, `Response body of ${name}`),
      capped
        ? el("p", { class: "hint" }, `The sender keeps the first ${RESPONSE_BODY_BYTES} bytes of an answer.`)
        : null,
      curlText
        ? el(
            "details",
            {},
            el("summary", {}, "curl command"),
            el("pre", { class: "out", id: "attempt-curl" }, curlText),
            el(
              "p",
              { class: "hint" },
              "The same bytes and signature: a receiver verifies it within its timestamp tolerance (usually 5 minutes after the attempt).",
              curl.note ? ` ${curl.note}` : "",
            ),
          )
        : null,
    ].filter(Boolean),
  );
}
