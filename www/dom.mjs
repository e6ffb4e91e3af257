// DOM helpers shared by the playground and the dashboard.

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/**
 * A new element. `props`: `class`, `on<event>` listeners, properties of the element (given
 * as non-strings, e.g. `tabIndex: 0`), and attributes (strings: `id`, `title`, `data-*`,
 * `aria-*`, ...). `children`: nodes and strings, arrays flattened, and null, undefined and
 * false left out.
 */
export function el(tag, props = {}, ...children) {
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

/** Runs fn, then puts the focus back on the element with the same id (fn rebuilt it). */
export function keepFocus(fn) {
  const id = document.activeElement?.id;
  fn();
  const again = id && document.getElementById(id);
  if (again && document.activeElement !== again) again.focus();
}

/**
 * Wires WAI-ARIA tabs: each of `tabs` (role=tab) shows the panel its `aria-controls` names
 * when clicked, or chosen with the arrow keys, Home and End. Returns `select(tab, focus =
 * true)`, which does the same from code; `onSelect(tab)` runs after every selection.
 */
export function wireTabs(tabs, onSelect = () => {}) {
  const select = (tab, focus = true) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
    }
    if (focus) tab.focus();
    onSelect(tab);
  };
  for (const t of tabs) {
    t.addEventListener("click", () => select(t));
    t.addEventListener("keydown", (e) => {
      const i = tabs.indexOf(t);
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
      if (next === undefined) return;
      e.preventDefault();
      select(tabs[(next + tabs.length) % tabs.length]);
    });
  }
  return select;
}

/** Puts `text` on the clipboard; whether the page was allowed to. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * A small "Copy" button (id `id`, read as `label`) that copies `text()` and says so in
 * the element `statusId` (a role=status line).
 */
export function copyButton(id, label, text, statusId, caption = "Copy") {
  return el(
    "button",
    {
      type: "button",
      class: "small copy",
      id,
      "aria-label": label,
      onclick: async () => {
        const ok = await copyText(text());
        const status = document.getElementById(statusId);
        if (status)
          status.textContent = ok
            ? `Copied: ${label.replace(/^Copy /, "")}.`
            : "Could not copy (clipboard not allowed here): select the text instead.";
      },
    },
    caption,
  );
}

/** A table of HTTP headers in order, repeats kept: a row per [name, value]. `props` as for el(). */
export function headerTable(headers, props = {}) {
  return el(
    "table",
    { class: "kv", ...props },
    el(
      "tbody",
      {},
      headers.map(([name, value]) =>
        el("tr", {}, el("th", { scope: "row", class: "mono" }, name), el("td", { class: "mono" }, value)),
      ),
    ),
  );
}
