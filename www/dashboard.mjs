// The hookproof-sender dashboard: webhooks, a live list of deliveries (server-sent events
// from GET /v1/stream, or polling every second when the stream is not there), each
// delivery's attempts on a time axis, filters, actions and a chart. Plain ES module.
import { Api, deliveryStatus } from "./dashboard-api.mjs";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
// A `?token=` in the address is the one the user means now: it replaces one typed earlier
// in this tab.
if (params.has("token")) sessionStorage.setItem("hookproof-token", params.get("token"));
const api = new Api({ token: sessionStorage.getItem("hookproof-token") });

// How many records a load asks for: the deliveries listed (those matching the filters),
// each webhook's deliveries counted, and the attempts charted. Where a list reaches its
// limit, the page says that it shows the newest ones only.
const LIST_LIMIT = 200;
const COUNT_LIMIT = 1000;
const LOG_LIMIT = 1000;

const state = {
  webhooks: [],
  deliveries: [], // the newest LIST_LIMIT matching the filters
  counts: new Map(), // webhook id -> { succeeded, failed, pending, capped }
  eventTypes: new Set(), // every event type seen, for the filter's suggestions
  logs: [],
  logsCapped: false,
  filter: readFilter(), // the applied filters, as the API takes them
  selected: params.get("delivery"),
  selectedDelivery: null, // the selected delivery's record, listed or not (null: unknown)
  attempts: [],
  seen: new Set(), // delivery ids already rendered once (to flash new ones)
  mode: "offline",
};

// -------------------------------------------------------------------------- helpers
function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k in e && typeof v !== "string") e[k] = v;
    else e.setAttribute(k, v);
  }
  e.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return e;
}
const pad = (n, w = 2) => String(n).padStart(w, "0");
function clock(ms, withMs = true) {
  if (ms === null) return "—";
  const d = new Date(ms);
  const t = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return withMs ? `${t}.${pad(d.getMilliseconds(), 3)}` : t;
}
function span(ms) {
  const a = Math.abs(ms);
  if (a < 1000) return `${Math.round(ms)} ms`;
  if (a < 60_000) return `${(ms / 1000).toFixed(a < 10_000 ? 1 : 0)} s`;
  if (a < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
const badge = (text, kind = text) => el("span", { class: `badge ${kind}` }, text);
// A chaos request of the sender: a duplicate, or a forged/stale one the receiver must
// reject (red when it was accepted).
const chaosBadge = (a) =>
  a.expect === "reject"
    ? el(
        "span",
        {
          class: `badge ${a.accepted_bad ? "failed" : "chaos"}`,
          "data-chaos": a.chaos,
          title: a.accepted_bad ? `the receiver accepted a ${a.chaos} request` : `${a.chaos}: must be rejected`,
        },
        a.accepted_bad ? `${a.chaos}: accepted!` : `${a.chaos}: must be rejected`,
      )
    : el("span", { class: "badge chaos", "data-chaos": a.chaos }, a.chaos);
function announce(text, kind = "info") {
  $("announce").textContent = text;
  $("announce").dataset.kind = kind;
}
function setMode(mode, text) {
  state.mode = mode;
  $("conn").dataset.mode = mode;
  $("conn").textContent = text;
}

// -------------------------------------------------------------------------- actions
async function act(button, what, fn) {
  button.disabled = true;
  try {
    await fn();
    announce(what);
    await refresh();
  } catch (e) {
    announce(`${what} failed: ${e.message}`, "error");
    if (e.status === 401) $("token-panel").hidden = false;
  } finally {
    button.disabled = false;
  }
}

// -------------------------------------------------------------------------- render
/** Deliveries per status, and whether the list was cut at COUNT_LIMIT. */
function countStatuses(deliveries) {
  const c = { succeeded: 0, failed: 0, pending: 0, capped: deliveries.length >= COUNT_LIMIT };
  for (const d of deliveries) c[d.status] = (c[d.status] ?? 0) + 1;
  return c;
}

// Each webhook's last counts: { counts, next }. A count costs the sender a visit of each of
// the webhook's deliveries with --db (about a second per million), so the next one waits
// ten times as long as the last took (at least a second).
const countsCache = new Map();

/** Webhook `w`'s counts: the sender's, exact; else counted over its newest COUNT_LIMIT deliveries. */
async function webhookCounts(webhooks, w) {
  const cached = countsCache.get(w.id);
  if (cached && performance.now() < cached.next) return cached.counts;
  const started = performance.now();
  const s = await api.stats(w.id);
  const counts = s
    ? { succeeded: s.success, failed: s.failed, pending: s.pending, capped: false }
    : countStatuses(await api.deliveries(webhooks, { webhook_id: w.id }, COUNT_LIMIT));
  const took = performance.now() - started;
  countsCache.set(w.id, { counts, next: performance.now() + Math.max(1000, 10 * took) });
  return counts;
}

function renderWebhooks() {
  const rows = state.webhooks.map((w) => {
    const c = state.counts.get(w.id) ?? countStatuses([]);
    const testBtn = el(
      "button",
      {
        type: "button",
        class: "small",
        id: `test-${w.id}`,
        "data-action": "test",
        "aria-label": `Send a test event to ${w.id}`,
      },
      "Send test",
    );
    testBtn.addEventListener("click", () =>
      act(testBtn, `Test event sent to ${w.id}`, async () => {
        const r = await api.sendTest(w.id);
        const d = r?.data ?? r;
        if (d?.id) state.selected = d.id;
      }),
    );
    const toggle = el(
      "button",
      {
        type: "button",
        class: "small",
        id: `toggle-${w.id}`,
        "data-action": "toggle",
        "aria-label": `${w.enabled ? "Disable" : "Enable"} ${w.id}`,
      },
      w.enabled ? "Disable" : "Enable",
    );
    toggle.addEventListener("click", () =>
      act(toggle, `${w.id} ${w.enabled ? "disabled" : "enabled"}`, () => api.setEnabled(w.id, !w.enabled)),
    );
    return el(
      "tr",
      { "data-webhook": w.id },
      el(
        "td",
        {},
        el("div", { class: "mono trunc", title: w.id }, w.id),
        el("div", { class: "hint trunc", title: w.url }, w.url),
      ),
      el("td", {}, w.type, w.kind !== "http" ? el("div", { class: "hint" }, w.kind) : null),
      el("td", { class: "mono" }, w.events.length ? w.events.join(", ") : "*"),
      el(
        "td",
        {},
        w.enabled ? badge("enabled") : badge("disabled"),
        // The receiver's 429, 502, 503 or 504 paused it: no attempt starts before then.
        w.throttled_until
          ? el(
              "div",
              { class: "hint", "data-throttled": "", title: `no new attempt before ${w.throttled_until}` },
              badge("throttled", "pending"),
              ` until ${clock(Date.parse(w.throttled_until), false)}`,
            )
          : null,
      ),
      el(
        "td",
        {
          title:
            `${c.succeeded} succeeded, ${c.failed} failed, ${c.pending} pending` +
            (c.capped ? `: counted over the newest ${COUNT_LIMIT} deliveries of ${w.id}` : ""),
        },
        `${c.succeeded} ✓ ${c.failed} ✗${c.pending ? ` ${c.pending} …` : ""}`,
        c.capped ? el("div", { class: "hint" }, `of the newest ${COUNT_LIMIT}`) : null,
      ),
      el("td", {}, el("div", { class: "actions" }, testBtn, toggle)),
    );
  });
  $("webhooks").replaceChildren(
    ...(rows.length
      ? rows
      : [
          el(
            "tr",
            {},
            el(
              "td",
              { colspan: "6", class: "empty" },
              "No webhooks yet: POST /webhooks or start the sender with --config.",
            ),
          ),
        ]),
  );
}

function syncSelect(select, values, label = (v) => v) {
  const current = select.value;
  const want = ["", ...values];
  const have = [...select.options].map((o) => o.value);
  if (want.join("\n") === have.join("\n")) return;
  select.replaceChildren(...want.map((v) => new Option(v === "" ? "all" : label(v), v)));
  select.value = want.includes(current) ? current : "";
}

/** The filters on screen, as the API takes them (empty ones left out). */
function readFilter() {
  const filter = { webhook_id: $("f-webhook").value, event: $("f-event").value.trim(), status: $("f-status").value };
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v));
}

/** The event filter's suggestions: a free text field, since older event types may not be listed. */
function syncEventTypes() {
  const types = [...state.eventTypes].sort();
  const list = $("f-event-types");
  if ([...list.options].map((o) => o.value).join("\n") === types.join("\n")) return;
  list.replaceChildren(...types.map((t) => new Option(t, t)));
}

function renderDeliveries() {
  syncSelect(
    $("f-webhook"),
    state.webhooks.map((w) => w.id),
  );
  syncEventTypes();
  const firstRender = state.seen.size === 0;
  const rows = state.deliveries.map((d) => {
    const fresh = !firstRender && !state.seen.has(d.id);
    state.seen.add(d.id);
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
        "aria-label": `${d.event_type} to ${d.webhook_id}: ${d.status}, ${d.attempts} attempt${d.attempts === 1 ? "" : "s"}`,
      },
      el("td", { class: "mono" }, clock(d.created_at, false)),
      el("td", {}, el("div", {}, d.event_type), el("div", { class: "hint mono trunc", title: d.id }, d.id)),
      el("td", { class: "mono" }, el("span", { class: "trunc", title: d.webhook_id }, d.webhook_id)),
      el("td", {}, badge(d.status)),
      el("td", {}, d.max_attempts ? `${d.attempts}/${d.max_attempts}` : String(d.attempts)),
      el("td", { class: "mono" }, String(last)),
    );
    tr.addEventListener("click", () => select(d.id));
    tr.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        select(d.id, true);
      } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        (e.key === "ArrowDown" ? tr.nextElementSibling : tr.previousElementSibling)?.focus();
      }
    });
    return tr;
  });
  $("deliveries").replaceChildren(...rows);
  $("deliveries-empty").hidden = rows.length > 0;
  $("deliveries-more").hidden = state.deliveries.length < LIST_LIMIT;
  $("deliveries-more").textContent =
    `Only the newest ${LIST_LIMIT} matching deliveries are listed: filter by webhook, event type or status to find older ones.`;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

function timelineSummary(d) {
  const attempts = state.attempts.filter((a) => a.delivery_id === d.id);
  const chaos = attempts.filter((a) => a.chaos);
  const next = d.status === "pending" && d.next_attempt_at ? d.next_attempt_at : null;
  return (
    plural(attempts.length - chaos.length, "attempt") +
    (chaos.length
      ? `, and ${plural(chaos.length, "chaos request")} (${[...new Set(chaos.map((a) => a.chaos))].join(", ")}; not attempts)`
      : "") +
    (next ? `; next attempt at ${clock(next)} (in ${span(Math.max(0, next - Date.now()))})` : "")
  );
}

function renderTimeline() {
  const box = $("timeline");
  const d = state.selectedDelivery;
  if (!d) {
    box.replaceChildren(
      el(
        "p",
        { class: "empty" },
        state.selected ? `No delivery ${state.selected} on this sender.` : "Select a delivery.",
      ),
    );
    return;
  }
  const attempts = state.attempts.filter((a) => a.delivery_id === d.id);
  const retry = el(
    "button",
    { type: "button", id: "retry", class: "primary", "aria-label": `Retry delivery ${d.id} now` },
    "Retry now",
  );
  retry.addEventListener("click", () => act(retry, `Retry of ${d.id} queued`, () => api.retry(d.id)));

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
      el("div", { class: "hint mono" }, `${d.id} · event ${d.event_id}`),
    ),
    retry,
  );

  // The axis: first attempt at 0, the scheduled next attempt (if any) dashed. A chaos
  // request (a duplicate, forged or stale extra request) is no attempt of the delivery:
  // marked apart, and never numbered as one.
  const points = attempts.filter((a) => a.at !== null).map((a) => ({ at: a.at, a }));
  const real = points.filter((p) => !p.a.chaos);
  const next = d.status === "pending" && d.next_attempt_at ? d.next_attempt_at : null;
  const t0 = points.length ? Math.min(...(real.length ? real : points).map((p) => p.at)) : d.created_at;
  const tEnd = Math.max(t0 + 1, next ?? 0, ...points.map((p) => p.at + (p.a.ms ?? 0)));
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

  const items = attempts.map((a) =>
    el(
      "li",
      a.chaos
        ? { "data-chaos-after": String(a.attempt), "data-ok": String(a.ok) }
        : { "data-attempt": String(a.attempt), "data-ok": String(a.ok) },
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
      el("span", { class: "mono" }, a.ms !== null ? `${a.ms} ms` : "—"),
      el(
        "span",
        { class: a.error ? "err" : "hint" },
        a.error ??
          (points.length && a.at !== null && a.at !== t0 ? `+${span(a.at - t0)} after #1` : a.ok ? "delivered" : ""),
      ),
    ),
  );
  const summary = timelineSummary(d);
  box.replaceChildren(
    head,
    axis,
    scale,
    el("p", { class: "hint", id: "timeline-summary" }, summary),
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
  );
}

function renderChart() {
  // Chaos requests are logged but are not attempts of a delivery.
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

/** Runs fn, then puts the focus back on the element with the same id (rows and buttons are rebuilt). */
function keepFocus(fn) {
  const id = document.activeElement?.id;
  fn();
  const again = id && document.getElementById(id);
  if (again && document.activeElement !== again) again.focus();
}

let lastRendered = "";
function render(force = false) {
  const key = JSON.stringify([
    state.webhooks,
    state.deliveries,
    [...state.counts],
    state.eventTypes.size,
    state.logs.length,
    state.logs[0]?.id,
    state.logsCapped,
    state.attempts,
    state.selected,
    state.selectedDelivery,
  ]);
  if (!force && key === lastRendered) return;
  lastRendered = key;
  keepFocus(() => {
    renderWebhooks();
    renderDeliveries();
    renderTimeline();
    renderChart();
  });
}

// -------------------------------------------------------------------------- data
/** The selected delivery's record: from the list, else asked for by id (a deep link to an older one). */
async function findSelected(deliveries) {
  if (!state.selected) return null;
  return deliveries.find((d) => d.id === state.selected) ?? (await api.deliveryById(state.selected));
}

let inFlight = null;
let again = false;
let loadError = null; // the "Could not load" text on screen, cleared by the next good load
/** Reloads everything; concurrent calls collapse into one more run. */
async function refresh() {
  if (inFlight) {
    again = true;
    return inFlight;
  }
  inFlight = (async () => {
    do {
      again = false;
      const filter = state.filter;
      try {
        const webhooks = await api.webhooks();
        const [deliveries, perWebhook, logs] = await Promise.all([
          api.deliveries(webhooks, filter, LIST_LIMIT),
          Promise.all(webhooks.map((w) => webhookCounts(webhooks, w))),
          api.logs(webhooks, LOG_LIMIT),
        ]);
        // The filters changed meanwhile: this answer is for the old ones.
        if (state.filter !== filter) {
          again = true;
          continue;
        }
        const selectedDelivery = await findSelected(deliveries);
        const attempts = selectedDelivery ? await api.attempts(selectedDelivery) : [];
        const counts = new Map(webhooks.map((w, i) => [w.id, perWebhook[i]]));
        for (const d of deliveries) state.eventTypes.add(d.event_type);
        for (const a of logs) state.eventTypes.add(a.event_type);
        for (const w of webhooks) for (const e of w.events) if (!e.includes("*")) state.eventTypes.add(e);
        state.eventTypes.delete("");
        const logsCapped = logs.length >= LOG_LIMIT;
        Object.assign(state, { webhooks, deliveries, counts, logs, logsCapped, selectedDelivery, attempts });
        render();
        if (loadError !== null && $("announce").textContent === loadError) announce("");
        loadError = null;
        document.documentElement.dataset.loaded = "true";
      } catch (e) {
        loadError = `Could not load: ${e.message}`;
        announce(loadError, "error");
        if (e.status === 401) $("token-panel").hidden = false;
      }
    } while (again);
  })();
  try {
    await inFlight;
  } finally {
    inFlight = null;
  }
}

let debounce = 0;
function refreshSoon() {
  clearTimeout(debounce);
  debounce = setTimeout(refresh, 50);
}

async function select(id, focusTimeline = false) {
  state.selected = id;
  const url = new URL(location.href);
  url.searchParams.set("delivery", id);
  history.replaceState(null, "", url);
  for (const tr of $("deliveries").children) tr.setAttribute("aria-selected", String(tr.dataset.delivery === id));
  state.selectedDelivery = await findSelected(state.deliveries).catch(() => null);
  state.attempts = state.selectedDelivery ? await api.attempts(state.selectedDelivery).catch(() => []) : [];
  keepFocus(renderTimeline);
  if (focusTimeline) $("timeline-title").focus();
}

// -------------------------------------------------------------------------- live feed
let pollTimer = 0;
function poll(everyMs) {
  clearInterval(pollTimer);
  pollTimer = setInterval(refresh, everyMs);
}

function describeEvent(type, data) {
  if (type === "delivery")
    return `New delivery: ${data.event ?? data.event_type ?? "event"} to ${data.webhook_id ?? "?"}`;
  if (type === "lagged") return "Caught up after missing some live updates";
  // The sender sends the log entry flat (its `attempt` is the attempt number); older
  // shapes nested it under `attempt`/`delivery`.
  const a = typeof data.attempt === "object" && data.attempt !== null ? data.attempt : data;
  const d = typeof data.delivery === "object" && data.delivery !== null ? data.delivery : {};
  const status = deliveryStatus(d.status ?? data.status ?? (a.outcome === "success" ? "succeeded" : ""));
  const what = a.chaos ? `${a.chaos} request after attempt` : "attempt";
  return `${d.event_type ?? a.event ?? "event"} to ${d.webhook_id ?? a.webhook_id ?? "?"}: ${what} ${a.attempt ?? "?"} ${a.status_code ?? a.outcome ?? ""}${status ? `, ${status}` : ""}`;
}

function connect() {
  if (typeof EventSource === "undefined") {
    setMode("polling", "polling every second");
    return poll(1000);
  }
  const es = new EventSource(api.streamUrl());
  let opened = false;
  const onMessage = (e) => {
    try {
      announce(describeEvent(e.type, JSON.parse(e.data)));
    } catch {
      // not JSON: still a reason to reload
    }
    refreshSoon();
  };
  es.addEventListener("open", () => {
    opened = true;
    setMode("live", "live");
    poll(5000); // a safety net: deliveries that have no attempt yet
    refreshSoon();
  });
  for (const type of ["attempt", "delivery", "webhook", "lagged", "message"]) es.addEventListener(type, onMessage);
  es.addEventListener("error", () => {
    // No stream route (404), or the sender went away: poll until it comes back.
    setMode("polling", opened ? "reconnecting… (polling every second)" : "polling every second");
    poll(1000);
    if (es.readyState === EventSource.CLOSED) setTimeout(connect, 10_000);
  });
}

// -------------------------------------------------------------------------- wiring
// The sender filters (older matches are found too): a change reloads the list.
function filterChanged() {
  const filter = readFilter();
  if (JSON.stringify(filter) === JSON.stringify(state.filter)) return;
  state.filter = filter;
  state.seen.clear(); // rows new to this filter are not new deliveries
  refresh();
}
for (const id of ["f-webhook", "f-event", "f-status"]) $(id).addEventListener("change", filterChanged);
// Picking a suggestion or clearing the field applies at once; typing waits for Enter or leaving it.
$("f-event").addEventListener("input", () => {
  const v = $("f-event").value.trim();
  if (v === "" || state.eventTypes.has(v)) filterChanged();
});
$("filters").addEventListener("submit", (e) => {
  e.preventDefault();
  filterChanged();
});
$("send-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const button = e.submitter ?? $("send-form").querySelector("button");
  let data;
  try {
    data = JSON.parse($("e-data").value || "{}");
  } catch (err) {
    $("send-result").textContent = `The data is not JSON: ${err.message}`;
    return;
  }
  button.disabled = true;
  try {
    const res = await api.sendEvent($("e-type").value.trim(), data);
    const r = res?.data ?? res;
    const n = r?.deliveries?.length;
    $("send-result").textContent =
      `Event ${r?.id ?? ""} accepted${n === undefined ? "" : `: ${n} deliver${n === 1 ? "y" : "ies"}`}.`;
    await refresh();
  } catch (err) {
    $("send-result").textContent = `Not sent: ${err.message}`;
  } finally {
    button.disabled = false;
  }
});
$("token-form").addEventListener("submit", (e) => {
  e.preventDefault();
  api.token = $("token").value;
  sessionStorage.setItem("hookproof-token", api.token);
  $("token-panel").hidden = true;
  refresh();
});
// Served by the sender, the playground is /playground; served as files, index.html.
$("playground-link").href = location.pathname.endsWith(".html") ? "index.html" : "playground";
// The "next attempt in" countdown, without rebuilding (and unfocusing) anything.
setInterval(() => {
  const d = state.selectedDelivery;
  const summary = $("timeline-summary");
  if (d && summary && d.status === "pending" && d.next_attempt_at) summary.textContent = timelineSummary(d);
}, 1000);

try {
  await api.discover(params.get("api"));
  await refresh();
  connect();
} catch (e) {
  setMode("offline", "no API");
  announce(`${e.message}. Open this page from a running hookproof-sender (it serves it at /).`, "error");
  document.documentElement.dataset.loaded = "error";
}
