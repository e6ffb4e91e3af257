// The hookproof-sender dashboard: webhooks, a live list of deliveries, each delivery's
// attempts on a time axis, each attempt's request and answer, filters, actions and a
// chart. This module keeps the page's state, loads it from the sender (dashboard-api.mjs)
// and wires the controls; the webhooks and their forms are dashboard-webhooks.mjs's, the
// deliveries table dashboard-view.mjs's, the timeline and chart dashboard-timeline.mjs's,
// an attempt dashboard-attempt.mjs's, "Send an event" is dashboard-send.mjs, the Inbox tab
// dashboard-inbox.mjs, and dashboard-live.mjs keeps it current. Plain ES modules.
import { $, keepFocus, wireTabs } from "./dom.mjs";
import { Api, statusWord } from "./dashboard-api.mjs";
import { connect } from "./dashboard-live.mjs";
import { inboxTab } from "./dashboard-inbox.mjs";
import { sendForm } from "./dashboard-send.mjs";
import { LIST_LIMIT, LOG_LIMIT, renderDeliveries } from "./dashboard-view.mjs";
import { readAddress, setAddress } from "./dashboard-address.mjs";
import { renderChart, renderTimeline, timelineSummary } from "./dashboard-timeline.mjs";
import { renderAttempt } from "./dashboard-attempt.mjs";
import { initWebhookForms, loadProfiles, renderWebhooks, showSecret } from "./dashboard-webhooks.mjs";

const params = new URLSearchParams(location.search);
// A `?token=` in the address is the one the user means now: it replaces one typed earlier
// in this tab, and leaves the address, so that a link copied from it does not carry the
// sender's API token (it stays in this tab's sessionStorage).
if (params.has("token")) {
  sessionStorage.setItem("hookproof-token", params.get("token"));
  const url = new URL(location.href);
  url.searchParams.delete("token");
  history.replaceState(null, "", url.href);
}
const api = new Api(sessionStorage.getItem("hookproof-token"));

const link = readAddress();
const state = {
  webhooks: [],
  deliveries: [], // the newest LIST_LIMIT matching the filters
  counts: new Map(), // webhook id -> the sender's { pending, success, failed }
  eventTypes: new Set(), // every event type seen, for the filter's suggestions
  logs: [],
  logsCapped: false,
  filter: readFilter(), // the applied filters, as the API takes them
  selected: link.delivery,
  selectedDelivery: null, // the selected delivery's record, listed or not (null: unknown)
  attempts: [],
  attempt: link.attempt, // the attempt shown (null: the delivery's last)
  body: null, // the selected delivery's body (null while it loads)
  bodyView: "pretty", // how bodies show: pretty (JSON re-indented) or raw (as sent)
  seen: new Map(), // delivery id -> when it was first listed (to flash new ones)
};

/**
 * Says what the user's action did, or what went wrong, in #announce. The live stream says
 * its news in #stream-note, a region of its own, so that a note stays until the next action.
 */
function announce(text, kind = "info") {
  $("announce").textContent = text;
  $("announce").dataset.kind = kind;
}
const streamNote = (text) => ($("stream-note").textContent = text);
function setMode(mode, text) {
  $("conn").dataset.mode = mode;
  $("conn").textContent = text;
}

/** The filters on screen, as the API takes them (empty ones left out). */
function readFilter() {
  const filter = {
    webhook_id: $("f-webhook").value,
    event_type: $("f-event").value.trim(),
    status: $("f-status").value,
    id: $("f-id").value.trim(),
  };
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v));
}

// ------------------------------------------------------------------------- actions
/** Runs `fn` for `button` (disabled meanwhile), says `what` happened, and reloads. */
async function act(button, what, fn) {
  button.disabled = true;
  button.dataset.busy = "";
  try {
    await fn();
    announce(what);
    await refresh();
  } catch (e) {
    announce(`${what} failed: ${e.message}`, "error");
    if (e.status === 401) $("token-panel").hidden = false;
  } finally {
    delete button.dataset.busy;
    button.disabled = false;
  }
}

const actions = {
  test: (w, button) =>
    act(button, `Test event sent to ${w.id}`, async () => {
      state.selected = (await api.sendTest(w.id)).id;
    }),
  toggle: (w, button) =>
    act(button, `${w.id} ${w.enabled ? "disabled" : "enabled"}`, () => api.setEnabled(w.id, !w.enabled)),
  edit: (w) => webhookForms.edit(w),
  rotate: (w, button) =>
    act(button, `The secret of ${w.id} rotated`, async () => {
      showSecret(w.id, (await api.rotateSecret(w.id)).secret, "The new secret of");
    }),
  remove: (w, button) => act(button, `${w.id} deleted`, () => api.deleteWebhook(w.id)),
  retry: (d, button) => act(button, `Retry of ${d.id} queued`, () => api.retry(d.id)),
  select,
  selectAttempt: (id, focus = false) => {
    state.attempt = id;
    updateAddress();
    keepFocus(() => {
      renderTimeline(state, actions);
      renderAttempt(state, actions);
    });
    if (focus) $("attempt-title").focus();
  },
  bodyView: (view) => {
    state.bodyView = view;
    keepFocus(() => renderAttempt(state, actions));
  },
};
const webhookForms = initWebhookForms({
  api,
  done: async (what) => {
    announce(what);
    await refresh();
  },
  fail: (_, e) => {
    if (e.status === 401) $("token-panel").hidden = false;
  },
});
loadProfiles(api);

// -------------------------------------------------------------------------- render
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
    state.attempt,
    state.body,
  ]);
  if (!force && key === lastRendered) return;
  lastRendered = key;
  keepFocus(() => {
    renderWebhooks(state, actions);
    renderDeliveries(state, actions);
    renderTimeline(state, actions);
    renderAttempt(state, actions);
    renderChart(state);
  });
}

// ---------------------------------------------------------------------------- data
// Each webhook's last counts: { counts, next }. A count costs the sender a visit of each of
// the webhook's deliveries with --db (about a second per million), so the next one waits
// ten times as long as the last took (at least a second).
const countsCache = new Map();

/** Webhook `id`'s counts, the sender's (GET /v1/webhooks/{id}/stats), at most as often as above. */
async function webhookCounts(id) {
  const cached = countsCache.get(id);
  if (cached && performance.now() < cached.next) return cached.counts;
  const started = performance.now();
  const counts = await api.stats(id);
  const took = performance.now() - started;
  countsCache.set(id, { counts, next: performance.now() + Math.max(1000, 10 * took) });
  return counts;
}

/** The selected delivery's record: from the list, else asked for by id (a deep link to an older one). */
async function findSelected(deliveries) {
  if (!state.selected) return null;
  return deliveries.find((d) => d.id === state.selected) ?? (await api.delivery(state.selected));
}

// Bodies by delivery id: a delivery's body never changes, so it is asked for once.
const bodies = new Map();
/** Delivery `id`'s body, from the sender the first time; null when it is not known. */
async function bodyOf(id) {
  if (!bodies.has(id)) {
    const body = (await api.delivery(id))?.body ?? null;
    if (body === null) return null;
    if (bodies.size > 50) bodies.delete(bodies.keys().next().value);
    bodies.set(id, body);
  }
  return bodies.get(id);
}

/** The deliveries that match `filter`: the one with its id, or the newest LIST_LIMIT. */
async function matching(filter) {
  const { id, ...rest } = filter;
  if (!id) return api.deliveries(rest, LIST_LIMIT);
  const d = await api.delivery(id);
  const keep =
    d &&
    (!rest.webhook_id || d.webhook_id === rest.webhook_id) &&
    (!rest.status || d.status === statusWord(rest.status)) &&
    (!rest.event_type || d.event_type === rest.event_type);
  return keep ? [d] : [];
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
          matching(filter),
          Promise.all(webhooks.map((w) => webhookCounts(w.id))),
          api.logs(LOG_LIMIT),
        ]);
        // The filters changed meanwhile: this answer is for the old ones.
        if (state.filter !== filter) {
          again = true;
          continue;
        }
        const selectedDelivery = await findSelected(deliveries);
        const attempts = selectedDelivery ? await api.attempts(selectedDelivery.id) : [];
        const body = selectedDelivery ? await bodyOf(selectedDelivery.id) : null;
        const counts = new Map(webhooks.map((w, i) => [w.id, perWebhook[i]]));
        for (const d of deliveries) state.eventTypes.add(d.event_type);
        for (const a of logs) state.eventTypes.add(a.event_type);
        for (const w of webhooks) for (const e of w.events) if (!e.includes("*")) state.eventTypes.add(e);
        state.eventTypes.delete("");
        const logsCapped = logs.length >= LOG_LIMIT;
        Object.assign(state, { webhooks, deliveries, counts, logs, logsCapped, selectedDelivery, attempts, body });
        render();
        syncSendForm(webhooks);
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

/**
 * Shows delivery `id`'s timeline and its attempt `attempt` (null: the last), and puts them
 * in the address, for a link.
 */
async function select(id, focusTimeline = false, attempt = null) {
  if (state.selected !== id) state.body = null;
  state.selected = id;
  state.attempt = attempt;
  updateAddress();
  for (const tr of $("deliveries").children) tr.setAttribute("aria-selected", String(tr.dataset.delivery === id));
  state.selectedDelivery = await findSelected(state.deliveries).catch(() => null);
  state.attempts = state.selectedDelivery ? await api.attempts(id).catch(() => []) : [];
  state.body = state.selectedDelivery ? await bodyOf(id).catch(() => null) : null;
  keepFocus(() => {
    renderTimeline(state, actions);
    renderAttempt(state, actions);
  });
  if (focusTimeline) $("timeline-title").focus();
}
// A link followed within the page (or typed in the address bar) opens what it names, on
// its tab.
addEventListener("hashchange", () => {
  const open = readAddress();
  if (open.tab === "inbox") {
    inbox.open(open.inbox, open.capture);
    selectTab($("tab-inbox"), false);
  } else {
    selectTab($("tab-deliveries"), false);
    if (open.delivery) select(open.delivery, false, open.attempt);
  }
});

// -------------------------------------------------------------------------- wiring
// The sender filters (older matches are found too): a change reloads the list.
function filterChanged() {
  const filter = readFilter();
  if (JSON.stringify(filter) === JSON.stringify(state.filter)) return;
  state.filter = filter;
  state.seen.clear(); // rows new to this filter are not new deliveries
  refresh();
}
for (const id of ["f-webhook", "f-event", "f-status", "f-id"]) $(id).addEventListener("change", filterChanged);
// Picking a suggestion or clearing the field applies at once; typing waits for Enter or leaving it.
$("f-event").addEventListener("input", () => {
  const v = $("f-event").value.trim();
  if (v === "" || state.eventTypes.has(v)) filterChanged();
});
$("filters").addEventListener("submit", (e) => {
  e.preventDefault();
  filterChanged();
});
const syncSendForm = sendForm({ api, sent: () => refresh() });
const showToken = () => ($("token-panel").hidden = false);
const inbox = inboxTab({ api, announce, open: link, navigated: () => updateAddress(), unauthorized: showToken });
let openTab = "deliveries";
/** Puts what is open, on the tab shown, in the address. */
function updateAddress() {
  setAddress(
    openTab === "inbox"
      ? { tab: "inbox", ...inbox.selection() }
      : { tab: "deliveries", delivery: state.selected, attempt: state.attempt },
  );
}
const selectTab = wireTabs([$("tab-deliveries"), $("tab-inbox")], (tab) => {
  openTab = tab.id === "tab-inbox" ? "inbox" : "deliveries";
  updateAddress();
  inbox.show(openTab === "inbox");
});
if (link.tab === "inbox") selectTab($("tab-inbox"), false);
updateAddress();
$("token-form").addEventListener("submit", (e) => {
  e.preventDefault();
  api.token = $("token").value;
  sessionStorage.setItem("hookproof-token", api.token);
  $("token-panel").hidden = true;
  refresh();
  inbox.refresh();
});
// Served by the sender, the playground is /playground; served as files, index.html.
$("playground-link").href = location.pathname.endsWith(".html") ? "index.html" : "playground";
// The "next attempt in" countdown, without rebuilding (and unfocusing) anything.
setInterval(() => {
  const d = state.selectedDelivery;
  const summary = $("timeline-summary");
  if (d && summary && d.status === "pending" && d.next_attempt_at)
    summary.textContent = timelineSummary(d, state.attempts);
}, 1000);

await refresh();
if (document.documentElement.dataset.loaded !== "true" && $("token-panel").hidden) {
  loadError = `${loadError}. Open this page from a running hookproof-sender (it serves it at /)`;
  announce(loadError, "error");
  document.documentElement.dataset.loaded = "error";
}
// Polls while the sender is away, so the page comes back with it.
const refreshAll = () => Promise.all([refresh(), inbox.refresh()]);
connect({ streamUrl: api.streamUrl(), refresh: refreshAll, captured: inbox.captured, setMode, announce: streamNote });
