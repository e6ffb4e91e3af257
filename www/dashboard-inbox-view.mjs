// The Inbox tab's drawing: the inboxes, an inbox's captures, one capture (its request as
// received, verification and diagnosis, conformance table, forward and replays), the
// inbox's conformance summary, and a forward's or replay's answer. Each function draws from
// what it is given and calls back `actions` for what a click asks. Header values are shown
// as the sender serves them: the credentials a request carried come masked.
import { $, el, headerTable, morphChildren } from "./dom.mjs";
import { toMs } from "./dashboard-api.mjs";
import { badge, clock, isFresh, plural } from "./dashboard-view.mjs";

/** The URL providers post to for inbox `name`. */
export const inboxUrl = (name) => `${location.origin}/in/${name}`;

/** A row that selects with a click, Enter or Space, and moves with the arrow keys. */
function selectableRow(props, onSelect, ...cells) {
  const tr = el("tr", { tabindex: "0", ...props }, ...cells);
  tr.addEventListener("click", () => onSelect(false));
  tr.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      onSelect(true);
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      (e.key === "ArrowDown" ? tr.nextElementSibling : tr.previousElementSibling)?.focus();
    }
  });
  return tr;
}

const emptyRow = (colspan, text) => el("tr", {}, el("td", { colspan: String(colspan), class: "empty" }, text));

/** The inboxes table, updated in place (a row per name). `actions.selectInbox(name, focus)`. */
export function renderInboxes(st, actions) {
  const rows = st.inboxes.map((i) =>
    selectableRow(
      {
        class: "selectable",
        // Not `inbox-NAME`: an inbox named "form" took the inbox form's id.
        id: `inbox-row-${i.name}`,
        "data-inbox": i.name,
        "aria-selected": String(i.name === st.name),
        "aria-label": `Inbox ${i.name}: ${plural(i.captures, "capture")}`,
      },
      (focus) => actions.selectInbox(i.name, focus),
      el(
        "td",
        {},
        el("div", { class: "mono" }, i.name),
        el("div", { class: "hint mono trunc", title: inboxUrl(i.name) }, `/in/${i.name}`),
      ),
      el(
        "td",
        {},
        i.scheme ?? "—",
        i.scheme && !i.secrets ? el("div", { class: "hint" }, "no secret: not verified") : null,
      ),
      el("td", { class: "mono" }, el("span", { class: "trunc", title: i.forward_to ?? "" }, i.forward_to ?? "—")),
      el("td", { "data-captures": String(i.captures) }, String(i.captures)),
      el("td", { class: "mono" }, clock(toMs(i.last_capture_at), false)),
    ),
  );
  morphChildren(
    $("inboxes"),
    rows.length ? rows : [emptyRow(5, "No inboxes yet: create one below, or POST to /in/NAME.")],
  );
}

/** What a capture's conformance table says in a few words. */
export function conformanceWord(c) {
  if (!c.conformance.length) return "no scheme";
  const failed = c.conformance.filter((r) => r.status === "fail").length;
  const applied = c.conformance.filter((r) => r.status !== "skip").length;
  return failed ? `${failed} of ${applied} fail` : `${applied}/${applied} pass`;
}

function verifiedBadge(c) {
  if (!c.verification) return badge("not checked", "skip");
  return c.verification.verified ? badge("verified", "success") : badge("not verified", "failed");
}

/** A forward's or replay's answer in a badge: its status, or `error`. */
function answerBadge(f) {
  if (f.status_code === null) return badge("error", "failed");
  const ok = f.status_code >= 200 && f.status_code < 300;
  return badge(String(f.status_code), ok ? "success" : "failed");
}

/**
 * The captures of the selected inbox, updated in place (a row per capture id: the focused
 * one stays focused as captures arrive). `actions.selectCapture(id, focus)`.
 */
export function renderCaptures(st, actions, limit) {
  const firstRender = st.seen.size === 0;
  const rows = st.captures.map((c) => {
    const fresh = isFresh(st.seen, c.id, firstRender);
    return selectableRow(
      {
        class: `selectable${fresh ? " fresh" : ""}`,
        id: `capture-${c.id}`,
        "data-capture": c.id,
        "aria-selected": String(c.id === st.captureId),
        "aria-label": `${c.method} ${c.path}: ${c.verification?.verified ? "verified" : "not verified"}, conformance ${conformanceWord(c)}`,
      },
      (focus) => actions.selectCapture(c.id, focus),
      el("td", { class: "mono" }, clock(toMs(c.received_at))),
      el(
        "td",
        {},
        el("div", { class: "mono" }, `${c.method} ${c.path}`),
        el("div", { class: "hint mono trunc", title: c.id }, c.id),
      ),
      el("td", {}, verifiedBadge(c)),
      el("td", {}, conformanceWord(c)),
      el("td", {}, c.forward ? answerBadge(c.forward) : "—"),
    );
  });
  morphChildren(
    $("captures"),
    rows.length
      ? rows
      : [emptyRow(5, st.name ? `Nothing captured yet: POST to ${inboxUrl(st.name)}` : "Select an inbox.")],
  );
  $("captures-more").hidden = st.captures.length < limit;
  $("captures-more").textContent = `Only the newest ${limit} captures are listed.`;
}

/** Bytes in a base64 text. */
const bytesOf = (b64) => Math.floor((b64.length * 3) / 4) - (b64.endsWith("==") ? 2 : b64.endsWith("=") ? 1 : 0);

/** A forward's or replay's answer: status, time, URL, error, the start of the body. */
export function answer(f, props = {}) {
  return el(
    "div",
    { class: "answer", "data-status": String(f.status_code ?? "error"), ...props },
    el(
      "div",
      {},
      answerBadge(f),
      ` in ${f.response_time_ms} ms from `,
      el("span", { class: "mono" }, f.url),
      f.resigned ? el("span", { class: "hint" }, " (re-signed)") : null,
      f.sent_at ? el("span", { class: "hint" }, ` at ${clock(toMs(f.sent_at))}`) : null,
    ),
    f.error ? el("p", { class: "err" }, f.error) : null,
    f.response_body
      ? el("pre", { class: "out", "aria-label": "the answer's body (first 4 KiB)" }, f.response_body)
      : null,
  );
}

function verification(c, inbox) {
  const v = c.verification;
  if (!v) {
    const why = inbox?.scheme ? "the inbox has no secret" : "the inbox has no scheme and secret";
    return el("p", { id: "capture-verification", "data-verified": "none", class: "hint" }, `Not checked: ${why}.`);
  }
  return el(
    "div",
    {
      id: "capture-verification",
      class: "result",
      "data-state": v.verified ? "verified" : "failed",
      "data-verified": String(v.verified),
    },
    v.verified
      ? el("p", {}, el("strong", {}, "Verified"), ` with the inbox's ${c.scheme} secret.`)
      : el(
          "p",
          {},
          el("strong", {}, "Not verified: "),
          el("code", { class: "errcode" }, v.code ?? "?"),
          ` ${v.message ?? ""}`,
        ),
    v.findings.length
      ? el(
          "ul",
          { class: "findings", "aria-label": "Diagnosis" },
          v.findings.map((f) => el("li", { "data-kind": f.kind }, el("code", {}, f.kind), ": ", f.message)),
        )
      : null,
  );
}

function conformanceTable(c) {
  if (!c.conformance.length)
    return el("p", { class: "hint" }, "No scheme: the inbox has none, and the headers name none.");
  return el(
    "table",
    { id: "conformance", "aria-label": `Conformance to the ${c.scheme} sender rules` },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", { scope: "col" }, "Rule"),
        el("th", { scope: "col" }, "Result"),
        el("th", { scope: "col" }, "Detail"),
      ),
    ),
    el(
      "tbody",
      {},
      c.conformance.map((r) =>
        el(
          "tr",
          { "data-rule": r.rule, "data-status": r.status },
          el("td", { class: "mono" }, r.rule),
          el("td", {}, badge(r.status, { pass: "success", fail: "failed", skip: "skip" }[r.status])),
          el("td", { class: "detail" }, r.detail),
        ),
      ),
    ),
  );
}

const headersTable = (headers) => headerTable(headers, { id: "capture-headers", "aria-label": "Headers as received" });

function body(c) {
  const n = bytesOf(c.body_base64);
  if (c.body === null) {
    return [
      el("p", { class: "hint" }, `${n} bytes, not UTF-8: shown in base64.`),
      el("pre", { class: "out", id: "capture-body", "data-encoding": "base64" }, c.body_base64),
    ];
  }
  let pretty = null;
  try {
    pretty = JSON.stringify(JSON.parse(c.body), null, 2);
  } catch {
    // not JSON: the exact text only
  }
  return [
    el("p", { class: "hint" }, `${n} bytes, exactly as received.`),
    el("pre", { class: "out", id: "capture-body" }, c.body),
    pretty !== null && pretty !== c.body
      ? el(
          "details",
          {},
          el("summary", {}, "Pretty JSON (re-serialized: not the bytes signed)"),
          el("pre", { class: "out" }, pretty),
        )
      : null,
  ];
}

function forward(c, inbox) {
  if (c.forward) return answer(c.forward, { id: "capture-forward" });
  const text = inbox?.forward_to ? `Forwarding to ${inbox.forward_to}…` : "Not forwarded: the inbox has no forward_to.";
  return el("p", { id: "capture-forward", class: "hint" }, text);
}

/** One capture, in full; `inbox`: its inbox's entry in the list (for what it is set to do). */
export function renderCapture(c, inbox) {
  const box = $("capture");
  if (!c) {
    morphChildren(box, [el("p", { class: "empty" }, "Select a capture.")]);
    return;
  }
  const target = c.path + (c.query !== null ? `?${c.query}` : "");
  const parts = [
    el(
      "div",
      { "data-capture": c.id },
      el(
        "div",
        {},
        el("strong", { class: "mono", id: "capture-request" }, `${c.method} ${target}`),
        " ",
        verifiedBadge(c),
      ),
      el(
        "div",
        { class: "hint mono" },
        `${c.id} · ${clock(toMs(c.received_at))} from ${c.remote_addr ?? "?"} · answered ${c.status}`,
        c.delivery_id ? ` · delivery id ${c.delivery_id}` : "",
      ),
    ),
    el("h3", {}, "Verification"),
    verification(c, inbox),
    el("h3", {}, c.scheme ? `Conformance: the ${c.scheme} sender rules` : "Conformance"),
    conformanceTable(c),
    el("h3", {}, `Headers (${c.headers.length})`),
    el(
      "p",
      { class: "hint" },
      "In the order received. Authorization, Proxy-Authorization and Cookie values are masked here; forwards and replays send them as received.",
    ),
    headersTable(c.headers),
    el("h3", {}, "Body"),
    body(c),
    el("h3", {}, "Forward"),
    forward(c, inbox),
    c.replays.length
      ? [
          el("h3", {}, `Replays (${c.replays.length})`),
          el(
            "ol",
            { id: "capture-replays", class: "replays" },
            c.replays.map((r) => el("li", {}, answer(r))),
          ),
        ]
      : null,
  ];
  morphChildren(box, parts);
}

/** The inbox's summary: verified counts and a row per conformance rule. */
export function renderSummary(s) {
  const box = $("inbox-summary");
  if (!s) {
    morphChildren(box, [el("p", { class: "empty" }, "Select an inbox.")]);
    return;
  }
  morphChildren(box, [
    el(
      "p",
      { id: "summary-line" },
      badge(s.compliant ? "compliant" : "not compliant", s.compliant ? "success" : s.captures ? "failed" : "skip"),
      ` ${plural(s.captures, "capture")} · ${s.verified} verified · ${s.unverified} not verified`,
    ),
    el(
      "table",
      { id: "summary", "aria-label": `Conformance of inbox ${s.name}'s captures, per rule` },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ["Rule", "Pass", "Fail", "Skip"].map((h) => el("th", { scope: "col" }, h)),
        ),
      ),
      el(
        "tbody",
        {},
        s.conformance.map((r) =>
          el(
            "tr",
            { "data-rule": r.rule, "data-fail": String(r.fail) },
            el("td", { class: "mono" }, r.rule),
            el("td", {}, String(r.pass)),
            el("td", { class: r.fail ? "err" : "" }, String(r.fail)),
            el("td", {}, String(r.skip)),
          ),
        ),
      ),
    ),
    s.captures > 1000 ? el("p", { class: "hint" }, "Of the newest 1,000 captures.") : null,
  ]);
}
