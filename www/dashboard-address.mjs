// The dashboard's address: what is open, kept current as the user moves, so that the
// address bar is always a link to share. One form, the fragment: `#delivery=ID&attempt=ID`
// (the Deliveries tab: a delivery and one of its attempts), `#tab=inbox&inbox=NAME&capture=ID`
// (the Inbox tab). The older forms still open what they name: `?delivery=ID` and
// `?tab=inbox&inbox=NAME&capture=ID`; the address is rewritten in the one form.

/** The names the address uses; the older forms' query parameters are these too. */
const KEYS = ["tab", "delivery", "attempt", "inbox", "capture"];

/**
 * What `loc` links to: `{tab, delivery, attempt, inbox, capture}`, `tab` "inbox" or
 * "deliveries", the others null when not named. The fragment when it names anything, else
 * the older query form.
 */
export function readAddress(loc = location) {
  const hash = new URLSearchParams(loc.hash.slice(1));
  const p = KEYS.some((k) => hash.has(k)) ? hash : new URLSearchParams(loc.search);
  const get = (k) => p.get(k) || null;
  const tab = get("tab") === "inbox" || (!get("tab") && get("inbox") && !get("delivery")) ? "inbox" : "deliveries";
  return { tab, delivery: get("delivery"), attempt: get("attempt"), inbox: get("inbox"), capture: get("capture") };
}

/** The fragment (with `#`, or "" for nothing open) that opens `open` (as `readAddress` gives). */
export function hashOf(open) {
  const entries =
    open.tab === "inbox"
      ? [
          ["tab", "inbox"],
          ["inbox", open.inbox],
          ["capture", open.inbox ? open.capture : null],
        ]
      : [
          ["delivery", open.delivery],
          ["attempt", open.delivery ? open.attempt : null],
        ];
  const p = new URLSearchParams(entries.filter(([, v]) => v));
  return p.size ? `#${p}` : "";
}

/** Puts `open` in the address (no new history entry), the older query form taken out. */
export function setAddress(open, loc = location) {
  const url = new URL(loc.href);
  for (const k of KEYS) url.searchParams.delete(k);
  url.hash = hashOf(open);
  // A URL whose fragment is emptied keeps its "#": the address reads the same without it.
  const href = url.hash ? url.href : url.href.replace(/#$/, "");
  if (href !== loc.href) history.replaceState(null, "", href);
}
