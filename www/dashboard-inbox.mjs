// The dashboard's Inbox tab: webhooks coming in. Its state (the inboxes, the selected
// inbox's captures and summary, the selected capture), loaded from the sender's
// /v1/inboxes routes; the form that creates and configures an inbox; selection (kept in the
// address, by dashboard-address.mjs: #tab=inbox&inbox=NAME&capture=ID); replays. Drawn by dashboard-inbox-view.mjs;
// kept live by the stream's `capture` events (dashboard-live.mjs).
import { $, copyButton, el, keepFocus, morphChildren } from "./dom.mjs";
import {
  answer,
  inboxUrl,
  renderCapture,
  renderCaptures,
  renderInboxes,
  renderSummary,
} from "./dashboard-inbox-view.mjs";

/** Captures listed at most (each with its body). */
const CAPTURE_LIMIT = 50;

/**
 * Wires the tab, opening `open.inbox` and `open.capture` (an address's). `announce(text,
 * kind)` says what happened; `navigated()` when the selection changed (for the address);
 * `unauthorized()` when the sender wants a token. Returns `show(visible)` (the tab was
 * selected or left), `open(inbox, capture)` (a link followed), `selection()` (`{inbox,
 * capture}`), `refresh()` (reload, when visible) and `captured(capture)` (a stream event).
 */
export function inboxTab({ api, announce, open, navigated, unauthorized }) {
  const st = {
    visible: false,
    inboxes: [],
    name: open.inbox,
    summary: null,
    captures: [],
    captureId: open.capture,
    capture: null,
    seen: new Map(), // capture id -> when it was first listed (to flash new ones)
  };
  const listed = () => st.inboxes.find((i) => i.name === st.name) ?? null;

  const setAddress = () => navigated();

  let lastRendered = "";
  function render(force = false) {
    const key = JSON.stringify([st.inboxes, st.name, st.summary, st.captures, st.captureId, st.capture]);
    if (!force && key === lastRendered) return;
    lastRendered = key;
    keepFocus(() => {
      renderInboxes(st, actions);
      renderCaptures(st, actions, CAPTURE_LIMIT);
      renderCapture(st.capture, listed());
      renderSummary(st.summary);
      const url = st.name ? inboxUrl(st.name) : null;
      morphChildren(
        $("inbox-url"),
        url
          ? [
              "Providers post to ",
              el("code", {}, url),
              " ",
              copyButton("copy-inbox-url", `Copy the inbox URL ${url}`, url, "announce"),
            ]
          : ["Select or create an inbox."],
      );
    });
    $("replay-form").hidden = !st.capture;
    $("replay-url").placeholder = listed()?.forward_to ?? "http://127.0.0.1:3000/hooks";
  }

  // ------------------------------------------------------------------------ loading
  async function load() {
    const inboxes = await api.inboxes();
    let summary = null;
    let captures = [];
    let capture = null;
    const name = st.name;
    if (name) {
      [summary, captures] = await Promise.all([api.inbox(name), api.captures(name, CAPTURE_LIMIT)]);
      // The newest capture is shown until one is picked.
      if (!st.captureId && captures.length) st.captureId = captures[0].id;
      const id = st.captureId;
      capture = id ? (captures.find((c) => c.id === id) ?? (await api.capture(name, id))) : null;
    }
    if (name !== st.name) return false; // another inbox was picked meanwhile
    Object.assign(st, { inboxes, summary, captures, capture });
    render();
    return true;
  }

  let inFlight = null;
  let again = false;
  /** Reloads the tab (when it is shown); concurrent calls collapse into one more run. */
  async function refresh() {
    if (!st.visible) return;
    if (inFlight) {
      again = true;
      return inFlight;
    }
    inFlight = (async () => {
      do {
        again = false;
        try {
          if (!(await load())) again = true;
        } catch (e) {
          announce(`Could not load the inboxes: ${e.message}`, "error");
          if (e.status === 401) unauthorized();
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
  const refreshSoon = () => {
    clearTimeout(debounce);
    debounce = setTimeout(refresh, 50);
  };

  // ------------------------------------------------------------------------ actions
  /** Shows inbox `name`'s settings in the form. */
  function fillForm(i) {
    $("i-name").value = i?.name ?? "";
    const scheme = i?.scheme ?? "";
    // Before the sender's list of schemes has come, the inbox's is offered alone.
    if (![...$("i-scheme").options].some((o) => o.value === scheme)) $("i-scheme").append(new Option(scheme, scheme));
    $("i-scheme").value = scheme;
    $("i-secret").value = "";
    $("i-secret").placeholder = i?.secrets
      ? `unchanged: ${i.secrets} kept while the scheme stays`
      : "the secret the provider signs with";
    $("i-tolerance").value = String(i?.tolerance_seconds ?? 300);
    $("i-forward").value = i?.forward_to ?? "";
    $("i-status").value = String(i?.respond_with.status ?? 200);
    $("i-body").value = i?.respond_with.body ?? "";
    $("i-delete").disabled = !i?.configured && !i?.captures;
    disarmDelete();
  }

  const actions = {
    selectInbox(name, focus = false) {
      if (name !== st.name) {
        Object.assign(st, { name, captureId: null, capture: null, captures: [], summary: null });
        st.seen.clear();
        $("replay-result").replaceChildren();
      }
      fillForm(listed());
      setAddress();
      render(true);
      refresh();
      if (focus) $("captures-title").scrollIntoView({ block: "nearest" });
    },
    selectCapture(id, focus = false) {
      st.captureId = id;
      st.capture = st.captures.find((c) => c.id === id) ?? null;
      $("replay-result").replaceChildren();
      setAddress();
      render(true);
      if (focus) $("capture-title").focus();
    },
  };

  $("inbox-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const name = $("i-name").value.trim();
    const config = {
      tolerance_seconds: Number($("i-tolerance").value || 300),
      respond_with: { status: Number($("i-status").value || 200), body: $("i-body").value },
    };
    if ($("i-scheme").value) config.scheme = $("i-scheme").value;
    if ($("i-secret").value) config.secret = $("i-secret").value;
    if ($("i-forward").value.trim()) config.forward_to = $("i-forward").value.trim();
    $("i-save").disabled = true;
    try {
      const saved = await api.configureInbox(name, config);
      $("i-secret").value = "";
      $("inbox-result").textContent = `Inbox ${saved.name} saved: providers post to ${inboxUrl(saved.name)}`;
      delete $("inbox-result").dataset.kind;
      st.inboxes = await api.inboxes();
      actions.selectInbox(saved.name);
    } catch (err) {
      $("inbox-result").textContent = `Not saved: ${err.message}`;
      $("inbox-result").dataset.kind = "error";
      if (err.status === 401) unauthorized();
    } finally {
      $("i-save").disabled = false;
    }
  });

  $("i-new").addEventListener("click", () => {
    fillForm(null);
    $("inbox-result").textContent = "";
    $("i-name").focus();
  });

  // Delete asks twice: the first click arms the button for a few seconds.
  let armed = 0;
  function disarmDelete() {
    clearTimeout(armed);
    armed = 0;
    $("i-delete").textContent = "Delete";
  }
  $("i-delete").addEventListener("click", async () => {
    const name = $("i-name").value.trim();
    if (!armed) {
      $("i-delete").textContent = `Delete ${name} and its captures?`;
      armed = setTimeout(disarmDelete, 4000);
      return;
    }
    disarmDelete();
    try {
      await api.deleteInbox(name);
      $("inbox-result").textContent = `Inbox ${name} deleted.`;
      if (name === st.name) {
        Object.assign(st, { name: null, captureId: null, capture: null, captures: [], summary: null });
        setAddress();
      }
      fillForm(null);
      await refresh();
    } catch (err) {
      $("inbox-result").textContent = `Not deleted: ${err.message}`;
    }
  });

  $("replay-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const c = st.capture;
    if (!c) return;
    const url = $("replay-url").value.trim();
    const options = { resign: $("replay-resign").checked, ...(url ? { url } : {}) };
    $("replay").disabled = true;
    $("replay-result").replaceChildren("Sending…");
    try {
      const sent = await api.replay(c.inbox, c.id, options);
      $("replay-result").replaceChildren(answer(sent, { id: "replay-answer" }));
      refreshSoon();
    } catch (err) {
      const p = document.createElement("p");
      p.className = "err";
      p.textContent = `Not replayed: ${err.message}`;
      $("replay-result").replaceChildren(p);
    } finally {
      $("replay").disabled = false;
    }
  });

  // The schemes an inbox can verify with, from the sender.
  api.schemes().then(
    (names) => {
      const current = $("i-scheme").value;
      const have = new Set([...$("i-scheme").options].map((o) => o.value));
      for (const s of names) if (!have.has(s)) $("i-scheme").append(new Option(s, s));
      $("i-scheme").value = current;
    },
    (e) => announce(`Could not load the schemes: ${e.message}`, "error"),
  );

  let filled = false;
  async function show(visible) {
    st.visible = visible;
    if (!visible) return;
    await refresh();
    // The inbox in the address fills the form once it is known.
    if (!filled && st.name) fillForm(listed());
    filled = true;
  }
  return {
    show,
    open(name, capture) {
      if (name !== st.name) {
        Object.assign(st, { name, captures: [], summary: null });
        st.seen.clear();
        filled = false;
      }
      if (capture !== st.captureId) {
        Object.assign(st, { captureId: capture, capture: st.captures.find((c) => c.id === capture) ?? null });
        $("replay-result").replaceChildren();
      }
      if (st.visible) {
        render(true);
        show(true);
      }
    },
    selection: () => ({ inbox: st.name, capture: st.captureId }),
    refresh,
    /** A capture event of the stream: reload what it changes, when the tab is shown. */
    captured() {
      refreshSoon();
    },
  };
}
