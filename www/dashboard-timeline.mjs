// The selected delivery's attempts on a time axis, and the chart of attempts over time.
// Chaos requests (a duplicate, forged or stale extra request) are logged but are no
// attempts of a delivery: marked apart, never numbered as one, left out of the chart.
import { $, copyButton, el, morphChildren } from "./dom.mjs";
import { LOG_LIMIT, badge, chaosBadge, clock, deepLink, plural, span } from "./dashboard-view.mjs";

/** The line under the axis: attempts, chaos requests, the next attempt's countdown. */
export function timelineSummary(d, attempts) {
  const mine = attempts.filter((a) => a.delivery_id === d.id);
  const chaos = mine.filter((a) => a.chaos);
  const next = d.status === "pending" && d.next_attempt_at ? d.next_attempt_at : null;
  return (
    plural(mine.length - chaos.length, "attempt") +
    (chaos.length
      ? `, and ${plural(chaos.length, "chaos request")} (${[...new Set(chaos.map((a) => a.chaos))].join(", ")}; not attempts)`
      : "") +
    (next ? `; next attempt at ${clock(next)} (in ${span(Math.max(0, next - Date.now()))})` : "")
  );
}

/**
 * The timeline of `state.selectedDelivery` (its `state.attempts`), or why there is none,
 * updated in place (an attempt's row, keyed by its id, and the buttons stay the same
 * elements). `actions.retry(d, button)`, `actions.selectAttempt(id, focus)` (an attempt clicked).
 */
export function renderTimeline(state, actions) {
  const box = $("timeline");
  const d = state.selectedDelivery;
  if (!d) {
    morphChildren(box, [
      el(
        "p",
        { class: "empty" },
        state.selected ? `No delivery ${state.selected} on this sender.` : "Select a delivery.",
      ),
    ]);
    return;
  }
  const attempts = state.attempts.filter((a) => a.delivery_id === d.id);
  const retry = el(
    "button",
    {
      type: "button",
      id: "retry",
      class: "primary",
      "aria-label": `Retry delivery ${d.id} now`,
      // The button outlives a change of the selected delivery: it retries the one shown.
      onclick: () => actions.retry(state.selectedDelivery, retry),
    },
    "Retry now",
  );

  const head = el(
    "div",
    { class: "row" },
    el(
      "div",
      { class: "grow" },
      el(
        "div",
        {},
        el("strong", {}, d.event_type),
        " → ",
        el("span", { class: "mono" }, d.webhook_id),
        " ",
        badge(d.status),
      ),
      el(
        "div",
        { class: "hint mono" },
        el("a", { href: deepLink(d.id), id: "delivery-link", title: "a link that opens this delivery" }, d.id),
        " ",
        copyButton("copy-delivery-id", `Copy the delivery id ${d.id}`, d.id, "announce"),
        ` · event ${d.event_id}`,
      ),
    ),
    retry,
  );

  // The axis: first attempt at 0, the scheduled next attempt (if any) dashed.
  const points = attempts.filter((a) => a.at !== null).map((a) => ({ at: a.at, a }));
  const real = points.filter((p) => !p.a.chaos);
  const next = d.status === "pending" && d.next_attempt_at ? d.next_attempt_at : null;
  const t0 = points.length ? Math.min(...(real.length ? real : points).map((p) => p.at)) : d.created_at;
  const tEnd = Math.max(t0 + 1, next ?? 0, ...points.map((p) => p.at + p.a.response_time_ms));
  // Retry schedules grow geometrically (5 s, 5 min, 30 min, ...): a logarithmic axis keeps
  // the first quick retries apart and the late ones on screen.
  const x = (t) => 2 + (96 * Math.log1p(Math.max(0, t - t0))) / Math.log1p(tEnd - t0);
  const code = (a) => a.status_code ?? a.outcome;
  const marks = points.map(({ at, a }) => {
    const [label, title] = a.chaos
      ? [a.chaos, `${a.chaos} request after attempt ${a.attempt} (not an attempt): ${code(a)}`]
      : [a.attempt === 1 ? "#1" : `#${a.attempt} +${span(at - t0)}`, `attempt ${a.attempt}: ${code(a)}`];
    const m = el(
      "div",
      { class: `mark ${a.ok ? "ok" : "bad"}${a.chaos ? " chaos" : ""}${x(at) > 85 ? " end" : ""}`, title },
      el("span", {}, label),
    );
    m.style.left = `${x(at)}%`;
    return m;
  });
  if (next) {
    const m = el(
      "div",
      { class: `mark next${x(next) > 85 ? " end" : ""}`, title: `next attempt at ${clock(next)}` },
      el("span", {}, "next"),
    );
    m.style.left = `${x(next)}%`;
    marks.push(m);
  }
  const axis = el("div", { class: "timeline-axis", "aria-hidden": "true" }, marks);
  const scale = el(
    "div",
    { class: "timeline-scale", "aria-hidden": "true" },
    el("span", {}, clock(t0)),
    el("span", {}, "time since attempt #1 (log scale)"),
    el("span", {}, `+${span(tEnd - t0)}`),
  );

  // The attempt shown below the list: the one asked for, else the last.
  const shown = attempts.find((a) => a.id === state.attempt) ?? attempts.at(-1);
  const items = attempts.map((a) =>
    el(
      "li",
      {
        ...(a.chaos ? { "data-chaos-after": String(a.attempt) } : { "data-attempt": String(a.attempt) }),
        "data-ok": String(a.ok),
        "data-attempt-id": a.id,
        id: `attempt-${a.id}`,
        tabindex: "0",
        "aria-selected": String(a === shown),
        title: "Show this request and its answer",
        onclick: () => actions.selectAttempt(a.id),
        onkeydown: (e) => {
          if (e.key === "Enter" || e.key === " ") {
            e.preventDefault();
            actions.selectAttempt(a.id, true);
          }
        },
      },
      a.chaos
        ? el("span", { title: `a ${a.chaos} request after attempt ${a.attempt}: not an attempt` }, chaosBadge(a))
        : el("span", {}, `#${a.attempt}`),
      el("span", { class: "mono", title: a.at ? new Date(a.at).toISOString() : "" }, clock(a.at)),
      el(
        "span",
        {},
        a.status_code !== null
          ? badge(String(a.status_code), a.ok ? "success" : "failed")
          : badge(a.outcome.replace("_", " "), "failed"),
      ),
      el("span", { class: "mono" }, `${a.response_time_ms} ms`),
      el(
        "span",
        { class: a.error ? "err" : "hint" },
        a.error ??
          (points.length && a.at !== null && a.at !== t0 ? `+${span(a.at - t0)} after #1` : a.ok ? "delivered" : ""),
      ),
    ),
  );
  morphChildren(box, [
    head,
    axis,
    scale,
    el("p", { class: "hint", id: "timeline-summary" }, timelineSummary(d, state.attempts)),
    el(
      "ol",
      { class: "attempts", id: "attempts", "aria-label": `Attempts of ${d.id}` },
      el(
        "li",
        { class: "hint", "aria-hidden": "true" },
        el("span", {}, "#"),
        el("span", {}, "time"),
        el("span", {}, "status"),
        el("span", {}, "duration"),
        el("span", {}, "error / offset"),
      ),
      items,
    ),
  ]);
}

/** Succeeded and failed attempts over time, from `state.logs` (the newest LOG_LIMIT). */
export function renderChart(state) {
  const logs = state.logs.filter((a) => a.at !== null && !a.chaos);
  const box = $("chart");
  if (!logs.length) {
    box.replaceChildren(el("p", { class: "empty" }, "No attempts yet."));
    return;
  }
  const BUCKETS = 30;
  const now = Date.now();
  const oldest = Math.min(...state.logs.map((a) => a.at ?? now));
  // The window: the last minute at least, the whole history at most an hour; but when
  // the newest LOG_LIMIT logged requests do not reach back an hour, only what they cover
  // (earlier buckets would read as empty).
  const cut = state.logsCapped && now - oldest < 3_600_000;
  const width = cut ? Math.max(1000, now - oldest) : Math.min(3_600_000, Math.max(60_000, now - oldest));
  const over = cut ? ` (the newest ${LOG_LIMIT} logged requests)` : "";
  const size = width / BUCKETS;
  const start = now - width;
  const ok = new Array(BUCKETS).fill(0);
  const bad = new Array(BUCKETS).fill(0);
  for (const a of logs) {
    if (a.at < start) continue;
    const i = Math.min(BUCKETS - 1, Math.floor((a.at - start) / size));
    (a.ok ? ok : bad)[i]++;
  }
  const max = Math.max(1, ...ok.map((v, i) => v + bad[i]));
  const NS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${BUCKETS * 10} 100`);
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("role", "img");
  const total = { ok: ok.reduce((a, b) => a + b, 0), bad: bad.reduce((a, b) => a + b, 0) };
  svg.setAttribute("aria-label", `Last ${span(width)}${over}: ${total.ok} attempts succeeded, ${total.bad} failed`);
  const rect = (i, y, h, cls) => {
    const r = document.createElementNS(NS, "rect");
    r.setAttribute("x", String(i * 10 + 1));
    r.setAttribute("width", "8");
    r.setAttribute("y", String(y));
    r.setAttribute("height", String(h));
    r.setAttribute("class", cls);
    svg.append(r);
  };
  for (let i = 0; i < BUCKETS; i++) {
    const hOk = (ok[i] / max) * 96;
    const hBad = (bad[i] / max) * 96;
    if (hOk) rect(i, 100 - hOk, hOk, "bar-ok");
    if (hBad) rect(i, 100 - hOk - hBad, hBad, "bar-bad");
  }
  box.replaceChildren(
    svg,
    el(
      "div",
      { class: "timeline-scale" },
      el("span", {}, `−${span(width)}`),
      el("span", { id: "chart-total" }, `${total.ok} ✓ · ${total.bad} ✗${over}`),
      el("span", {}, "now"),
    ),
  );
}
