// The webhooks: their table (each id in full with a copy button, its description, URL,
// profile, events and counts) and what can be done to one, all through the sender's /v1
// API: create, edit, enable or disable, rotate the secret (the new one shown once), delete,
// send a test.
import { $, copyButton, el, morphChildren } from "./dom.mjs";
import { badge, clock } from "./dashboard-view.mjs";

const button = (id, label, text, onclick) =>
  el("button", { type: "button", class: "small", id, "aria-label": label, onclick }, text);

// Buttons armed by a first click: id -> until when (ms). Kept here, not on the button, so
// that a row drawn again draws it armed.
const armed = new Map();
const ARMED_MS = 5000;

/**
 * A button that asks to be clicked twice: the first click arms it ("Really …?") for a few
 * seconds, the second does `run(button)`. No dialog, so nothing blocks the page.
 */
function confirmButton(id, label, text, run) {
  const isArmed = () => (armed.get(id) ?? 0) > performance.now();
  const b = button(id, label, text, () => {
    if (!isArmed()) {
      armed.set(id, performance.now() + ARMED_MS);
      b.textContent = `Really ${text.toLowerCase()}?`;
      b.dataset.armed = "true";
      setTimeout(() => {
        const now = document.getElementById(id); // this button, or the one that replaced it
        if (isArmed() || !now) return;
        now.textContent = text;
        now.dataset.armed = "false";
      }, ARMED_MS + 50);
      return;
    }
    armed.delete(id);
    b.textContent = text;
    b.dataset.armed = "false";
    run(b);
  });
  if (isArmed()) {
    b.textContent = `Really ${text.toLowerCase()}?`;
    b.dataset.armed = "true";
  }
  return b;
}

// The webhooks as last drawn, by id: a row's buttons outlive the record they were built
// with (morphChildren keeps them), so a click acts on the current one.
const current = new Map();

/**
 * The webhooks table, updated in place: a row per webhook id, only what changed in it
 * changes (a button being pressed, focused or armed stays the same element).
 * `state.counts`: webhook id -> the sender's `{pending, success, failed}`.
 * `actions.test|toggle|edit|rotate|remove(w, button)`.
 */
export function renderWebhooks(state, actions) {
  current.clear();
  for (const w of state.webhooks) current.set(w.id, w);
  const rows = state.webhooks.map((w) => {
    const c = state.counts.get(w.id) ?? { pending: 0, success: 0, failed: 0 };
    const now = () => current.get(w.id) ?? w;
    const act = (name, label, text) => {
      const b = button(`${name}-${w.id}`, `${label} ${w.id}`, text, () => actions[name](now(), b));
      b.dataset.action = name;
      return b;
    };
    const toggle = act("toggle", w.enabled ? "Disable" : "Enable", w.enabled ? "Disable" : "Enable");
    const rotate = confirmButton(`rotate-${w.id}`, `Rotate the secret of ${w.id}`, "Rotate secret", (b) =>
      actions.rotate(now(), b),
    );
    rotate.dataset.action = "rotate";
    const remove = confirmButton(`delete-${w.id}`, `Delete ${w.id}`, "Delete", (b) => actions.remove(now(), b));
    remove.dataset.action = "delete";
    return el(
      "tr",
      // Ids made of a webhook's id (which its creator picks) start with a prefix no fixed
      // id of the page has: a webhook named "form" must not take the form's id.
      { id: `webhook-row-${w.id}`, "data-webhook": w.id },
      el(
        "td",
        {},
        el(
          "div",
          { class: "id-line" },
          el("span", { class: "mono webhook-id" }, w.id),
          copyButton(`copy-webhook-${w.id}`, `Copy the id ${w.id}`, w.id, "announce"),
        ),
        w.description ? el("div", { class: "description" }, w.description) : null,
        el("div", { class: "hint mono break", title: w.url }, w.url),
      ),
      // The signing profile, and the webhook's kind when it is not a plain HTTP one.
      el("td", {}, w.profile, w.kind !== "http" ? el("div", { class: "hint" }, w.kind) : null),
      el(
        "td",
        { class: "mono" },
        w.events.length ? w.events.join(", ") : "*",
        // Vector.co segments: events naming another segment do not come.
        w.segments?.length
          ? el("div", { class: "hint", "data-segments": "" }, `segments: ${w.segments.join(", ")}`)
          : null,
      ),
      el(
        "td",
        {},
        w.enabled ? badge("enabled") : badge("disabled"),
        w.chaos ? el("div", { class: "hint", title: JSON.stringify(w.chaos) }, badge("chaos")) : null,
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
        { title: `${c.success} succeeded, ${c.failed} failed, ${c.pending} pending` },
        `${c.success} ✓ ${c.failed} ✗${c.pending ? ` ${c.pending} …` : ""}`,
      ),
      el(
        "td",
        {},
        el(
          "div",
          { class: "actions" },
          act("test", "Send a test event to", "Send test"),
          toggle,
          act("edit", "Edit", "Edit"),
          rotate,
          remove,
        ),
      ),
    );
  });
  morphChildren(
    $("webhooks"),
    rows.length
      ? rows
      : [
          el(
            "tr",
            { id: "webhooks-none" },
            el("td", { colspan: "6", class: "empty" }, "No webhooks yet: create one above."),
          ),
        ],
  );
}

// ---------------------------------------------------------------------- the form
/** Words of a list typed with commas or spaces. */
const words = (text) => text.split(/[\s,]+/).filter(Boolean);

/** A retry schedule as typed (`0, 5s, 2.5m` or seconds): numbers stay numbers. */
const schedule = (text) => words(text).map((w) => (/^\d+(\.\d+)?$/.test(w) ? Number(w) : w));

/** What the form asks for, as the API takes it; throws on chaos that is not JSON. */
function readForm() {
  const chaosText = $("w-chaos").value.trim();
  let chaos = null;
  if (chaosText) {
    try {
      chaos = JSON.parse(chaosText);
    } catch (e) {
      throw new Error(`chaos is not JSON: ${e.message}`);
    }
  }
  return {
    url: $("w-url").value.trim(),
    profile: $("w-profile").value.trim(),
    kind: $("w-kind").value,
    events: words($("w-events").value),
    segments: words($("w-segments").value),
    description: $("w-description").value.trim(),
    retry_schedule: schedule($("w-retry").value),
    chaos,
    secret: $("w-secret").value.trim(),
    enabled: $("w-enabled").checked,
  };
}

/** Fills the form for webhook `w` (editing), or empties it (creating). */
function fillForm(w) {
  $("w-url").value = w?.url ?? "";
  $("w-profile").value = w?.profile ?? "standard";
  $("w-kind").value = w?.kind ?? "http";
  $("w-events").value = (w?.events ?? ["*"]).join(", ");
  $("w-segments").value = (w?.segments ?? []).join(", ");
  $("w-description").value = w?.description ?? "";
  $("w-retry").value = (w?.retry_schedule ?? []).join(", ");
  $("w-chaos").value = w?.chaos ? JSON.stringify(w.chaos) : "";
  $("w-secret").value = "";
  $("w-enabled").checked = w?.enabled ?? true;
  // What a webhook cannot change after it is made: its profile, kind and secret (rotate it).
  for (const id of ["w-profile", "w-kind"]) $(id).disabled = Boolean(w);
  $("w-secret-field").hidden = Boolean(w);
}

/** The fields of `form` that differ from webhook `w`'s, as PUT /v1/webhooks/{id} takes them. */
function changes(w, form) {
  const out = {};
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  if (form.url !== w.url) out.url = form.url;
  if (!same(form.events, w.events)) out.events = form.events;
  if (!same(form.segments, w.segments ?? [])) out.segments = form.segments;
  if (form.description !== (w.description ?? "")) out.description = form.description;
  // An emptied schedule goes back to the profile's default (null; the webhook shows the
  // schedule it follows, its own or its profile's, so an empty field is never unchanged).
  if (!form.retry_schedule.length) out.retry_schedule = null;
  else if (form.retry_schedule.join(",") !== w.retry_schedule.join(",")) out.retry_schedule = form.retry_schedule;
  if (!same(form.chaos, w.chaos ?? null)) out.chaos = form.chaos;
  if (form.enabled !== w.enabled) out.enabled = form.enabled;
  return out;
}

/** Shows `secret` once, with a copy button, until dismissed. */
export function showSecret(id, secret, what) {
  $("secret-what").textContent = `${what} ${id}: copy it now, the sender will not show it again.`;
  $("secret-value").textContent = secret;
  $("secret-box").hidden = false;
  $("secret-value").focus();
}

/**
 * Wires the webhook form and the secret box. `api`: the sender's client; `done(text)` after
 * a change (announce and reload); `fail(text, e)` on an error.
 */
export function initWebhookForms({ api, done, fail }) {
  let editing = null; // the webhook being edited; null: creating one
  const open = (w) => {
    editing = w;
    fillForm(w);
    $("webhook-form-title").textContent = w ? `Edit ${w.id}` : "New webhook";
    $("w-submit").textContent = w ? "Save" : "Create webhook";
    $("w-error").textContent = "";
    $("webhook-form").hidden = false;
    $("w-url").focus();
  };
  const close = () => {
    $("webhook-form").hidden = true;
    editing = null;
  };
  $("new-webhook").addEventListener("click", () => open(null));
  $("w-cancel").addEventListener("click", close);
  $("secret-done").addEventListener("click", () => {
    $("secret-box").hidden = true;
    $("secret-value").textContent = "";
  });
  $("secret-actions").replaceChildren(
    copyButton("secret-copy", "Copy the secret", () => $("secret-value").textContent, "secret-copied"),
  );
  $("webhook-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const submit = $("w-submit");
    submit.disabled = true;
    $("w-error").textContent = "";
    try {
      const form = readForm();
      if (editing) {
        const id = editing.id;
        const changed = changes(editing, form);
        await api.updateWebhook(id, changed);
        close();
        const reset = changed.retry_schedule === null ? ": its retry schedule is the profile's default again" : "";
        await done(`${id} saved${reset}`);
      } else {
        const { secret: typed, retry_schedule, chaos, description, segments, ...rest } = form;
        const body = { ...rest };
        if (segments.length) body.segments = segments;
        if (typed) body.secret = typed;
        if (retry_schedule.length) body.retry_schedule = retry_schedule;
        if (chaos) body.chaos = chaos;
        if (description) body.description = description;
        const w = await api.createWebhook(body);
        close();
        if (!typed) showSecret(w.id, w.secret, "The secret of");
        await done(`${w.id} created`);
      }
    } catch (err) {
      $("w-error").textContent = `Not saved: ${err.message}`;
      fail(null, err);
    } finally {
      submit.disabled = false;
    }
  });
  return { edit: open };
}

/** The profiles the sender takes (a profile is not a scheme: vectorco signs as generic). */
export async function loadProfiles(api) {
  try {
    const names = await api.profiles();
    $("w-profiles").replaceChildren(...names.map((name) => new Option(name, name)));
  } catch {
    // Not built into this sender: the field takes any name, and the API says which it knows.
  }
}
