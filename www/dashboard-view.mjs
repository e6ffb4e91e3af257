// The dashboard's deliveries table and the small pieces every part of the page draws:
// times, durations, badges, deep links. Each render function draws from the state it is given
// and calls back `actions` for what a click asks.
import { $, el, morphChildren } from "./dom.mjs";
import { hashOf } from "./dashboard-address.mjs";

// How many records a load asks for: the deliveries listed (those matching the filters) and
// the attempts charted. Where a list reaches its limit, the page says that it shows the
// newest ones only.
export const LIST_LIMIT = 200;
export const LOG_LIMIT = 1000;

const pad = (n, w = 2) => String(n).padStart(w, "0");

/** A time of day (local), to the millisecond unless `withMs` is false; "—" for none. */
export function clock(ms, withMs = true) {
  if (ms === null) return "—";
  const d = new Date(ms);
  const t = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return withMs ? `${t}.${pad(d.getMilliseconds(), 3)}` : t;
}

/** A duration in the unit that reads best: `412 ms`, `3.2 s`, `5.0 min`, `1.5 h`. */
export function span(ms) {
  const a = Math.abs(ms);
  if (a < 1000) return `${Math.round(ms)} ms`;
  if (a < 60_000) return `${(ms / 1000).toFixed(a < 10_000 ? 1 : 0)} s`;
  if (a < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

export const badge = (text, kind = text) => el("span", { class: `badge ${kind}` }, text);

/**
 * A chaos request of the sender: a duplicate, or a forged/stale one the receiver must
 * reject (red when it was accepted).
 */
export const chaosBadge = (a) =>
  a.expect === "reject"
    ? el(
        "span",
        {
          class: `badge ${a.receiver_accepted_bad ? "failed" : "chaos"}`,
          "data-chaos": a.chaos,
          title: a.receiver_accepted_bad
            ? `the receiver accepted a ${a.chaos} request`
            : `${a.chaos}: must be rejected`,
        },
        a.receiver_accepted_bad ? `${a.chaos}: accepted!` : `${a.chaos}: must be rejected`,
      )
    : el("span", { class: "badge chaos", "data-chaos": a.chaos }, a.chaos);

/** The address fragment that opens delivery `deliveryId` (and its attempt `attemptId`). */
export const deepLink = (deliveryId, attemptId = null) =>
  hashOf({ tab: "deliveries", delivery: deliveryId, attempt: attemptId });

/** Sets a select's options to "all" and `values`, keeping its value if still offered. */
function syncSelect(select, values) {
  const current = select.value;
  const want = ["", ...values];
  const have = [...select.options].map((o) => o.value);
  if (want.join("\n") === have.join("\n")) return;
  select.replaceChildren(...want.map((v) => new Option(v === "" ? "all" : v, v)));
  select.value = want.includes(current) ? current : "";
}

/** The event filter's suggestions: a free text field, since older event types may not be listed. */
function syncEventTypes(eventTypes) {
  const types = [...eventTypes].sort();
  const list = $("f-event-types");
  if ([...list.options].map((o) => o.value).join("\n") === types.join("\n")) return;
  list.replaceChildren(...types.map((t) => new Option(t, t)));
}

/** How long a row new to the list is marked (its `fresh` flash in style.css). */
export const FRESH_MS = 1500;

/**
 * Whether the row for `id` is new: first listed less than FRESH_MS ago, and not by the
 * list's first render (`firstRender`). `seen`: id -> when it was first listed.
 */
export function isFresh(seen, id, firstRender) {
  const now = performance.now();
  if (!seen.has(id)) seen.set(id, firstRender ? -Infinity : now);
  return now - seen.get(id) < FRESH_MS;
}

/**
 * The deliveries table, updated in place (a row per delivery id: only what changed in it
 * changes, the focused row stays focused), and its filters' choices. Rows new since the
 * first render flash. `actions.select(id, focusTimeline)`.
 */
export function renderDeliveries(state, actions) {
  syncSelect(
    $("f-webhook"),
    state.webhooks.map((w) => w.id),
  );
  syncEventTypes(state.eventTypes);
  const firstRender = state.seen.size === 0;
  const rows = state.deliveries.map((d) => {
    const fresh = isFresh(state.seen, d.id, firstRender);
    const last = d.last_status_code ?? (d.last_error ? "error" : "—");
    const tr = el(
      "tr",
      {
        class: `delivery${fresh ? " fresh" : ""}`,
        id: `delivery-${d.id}`,
        tabindex: "0",
        "data-delivery": d.id,
        "data-status": d.status,
        "aria-selected": String(d.id === state.selected),
        "aria-label": `${d.event_type} to ${d.webhook_id}: ${d.status}, ${plural(d.attempts, "attempt")}`,
      },
      el("td", { class: "mono" }, clock(d.created_at, false)),
      el("td", {}, el("div", {}, d.event_type), el("div", { class: "hint mono trunc", title: d.id }, d.id)),
      el("td", { class: "mono" }, el("span", { class: "trunc", title: d.webhook_id }, d.webhook_id)),
      el("td", {}, badge(d.status)),
      el("td", {}, `${d.attempts}/${d.max_attempts}`),
      el("td", { class: "mono" }, String(last)),
    );
    tr.addEventListener("click", () => actions.select(d.id));
    tr.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        actions.select(d.id, true);
      } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        (e.key === "ArrowDown" ? tr.nextElementSibling : tr.previousElementSibling)?.focus();
      }
    });
    return tr;
  });
  morphChildren($("deliveries"), rows);
  $("deliveries-empty").hidden = rows.length > 0;
  $("deliveries-more").hidden = state.deliveries.length < LIST_LIMIT;
  $("deliveries-more").textContent =
    `Only the newest ${LIST_LIMIT} matching deliveries are listed: filter by webhook, event type or status to find older ones.`;
}
