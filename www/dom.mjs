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

/**
 * Makes `old` look like `next` (a freshly built node) and returns the node to keep: `old`
 * itself when both are the same kind of element, so that its identity, focus and listeners
 * survive (a listener must find the current record by id, not keep the one it was built
 * with); else `next`. A `<details>` keeps whether the user opened it, a `data-busy` button
 * (its action running) stays disabled, and an element with `data-keep-content` (a note
 * written later, like "Copied") keeps its children.
 */
export function morph(old, next) {
  if (old.nodeType !== next.nodeType || old.nodeName !== next.nodeName) return next;
  if (old.nodeType !== Node.ELEMENT_NODE) {
    if (old.nodeValue !== next.nodeValue) old.nodeValue = next.nodeValue;
    return old;
  }
  const userOwned = new Set(old.nodeName === "DETAILS" ? ["open"] : []);
  if (old.hasAttribute("data-busy")) userOwned.add("disabled").add("data-busy");
  for (const { name } of [...old.attributes])
    if (!next.hasAttribute(name) && !userOwned.has(name)) old.removeAttribute(name);
  for (const { name, value } of next.attributes)
    if (old.getAttribute(name) !== value && !userOwned.has(name)) old.setAttribute(name, value);
  if (!old.hasAttribute("data-keep-content")) morphChildren(old, [...next.childNodes]);
  return old;
}

/**
 * Makes `parent`'s children `next` (freshly built nodes) in place: a child with the same
 * `id` (else, among children without one, the same position) is kept and morphed, the
 * others are added or removed. Kept children are never moved past each other's places, so
 * a focused or pressed one stays in the document throughout.
 */
export function morphChildren(parent, next) {
  next = next
    .flat()
    .filter((n) => n !== null && n !== undefined && n !== false)
    .map((n) => (typeof n === "string" ? document.createTextNode(n) : n));
  const byId = new Map();
  const unkeyed = [];
  for (const c of parent.childNodes) {
    if (c.nodeType === Node.ELEMENT_NODE && c.id) byId.set(c.id, c);
    else unkeyed.push(c);
  }
  let u = 0;
  const result = next.map((n) => {
    const key = n.nodeType === Node.ELEMENT_NODE && n.id;
    const old = key ? byId.get(key) : unkeyed[u++];
    if (key) byId.delete(key);
    return old ? morph(old, n) : n;
  });
  const keep = new Set(result);
  for (const c of [...parent.childNodes]) if (!keep.has(c)) c.remove();
  let cursor = parent.firstChild;
  for (const node of result) {
    if (node === cursor) cursor = cursor.nextSibling;
    else parent.insertBefore(node, cursor);
  }
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
 * A small "Copy" button (id `id`, read as `label`) that copies `text` and says so in the
 * element `statusId` (a role=status line). `text`: a string, kept on the button (so a
 * button kept by morph() copies what it shows now), or a function called at the click.
 */
export function copyButton(id, label, text, statusId, caption = "Copy") {
  const b = el(
    "button",
    {
      type: "button",
      class: "small copy",
      id,
      "aria-label": label,
      onclick: async () => {
        const ok = await copyText(typeof text === "function" ? text() : (b.dataset.copy ?? ""));
        const status = document.getElementById(statusId);
        if (status)
          status.textContent = ok
            ? `Copied: ${b.getAttribute("aria-label").replace(/^Copy /, "")}.`
            : "Could not copy (clipboard not allowed here): select the text instead.";
      },
    },
    caption,
  );
  if (typeof text === "string") b.dataset.copy = text;
  return b;
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
