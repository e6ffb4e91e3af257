// The live feed: the sender's server-sent events (GET /v1/stream, mock-sender/src/api/
// stream.rs), or polling every second while the stream is not there. A delivery, attempt,
// webhook or lagged event makes the page reload its data, a capture event the Inbox tab's;
// the event's JSON only feeds the screen-reader announcement.
import { statusWord } from "./dashboard-api.mjs";

/** An event of the stream in words. */
function describe(type, data) {
  if (type === "delivery") return `New delivery: ${data.event_type} to ${data.webhook_id}`;
  if (type === "lagged") return "Caught up after missing some live updates";
  if (type === "webhook") return `Webhook ${data.webhook?.id ?? data.id} ${data.action}`;
  if (type === "capture") {
    const verified = data.verification ? (data.verification.verified ? ", verified" : ", not verified") : "";
    return `Captured ${data.method} ${data.path}${verified}${data.forward ? `, forwarded: ${data.forward.status_code ?? "error"}` : ""}`;
  }
  // `attempt`: the log entry (its `attempt` is the attempt number) and the delivery's status.
  const what = data.chaos ? `${data.chaos} request after attempt` : "attempt";
  return `${data.event_type} to ${data.webhook_id}: ${what} ${data.attempt} ${data.status_code ?? data.outcome}, ${statusWord(data.status)}`;
}

/**
 * Keeps the page current: `refresh()` (soon) on every delivery, attempt, webhook and lagged event
 * of `streamUrl`, `captured(capture)` on every capture event, `refresh()` every second
 * while there is no stream and every 5 s with one (deliveries without an attempt yet send
 * nothing). `setMode(mode, text)` shows the connection; `announce(text)` says what happened.
 */
export function connect({ streamUrl, refresh, captured, setMode, announce }) {
  let pollTimer = 0;
  const poll = (everyMs) => {
    clearInterval(pollTimer);
    pollTimer = setInterval(refresh, everyMs);
  };
  let debounce = 0;
  const refreshSoon = () => {
    clearTimeout(debounce);
    debounce = setTimeout(refresh, 50);
  };
  const open = () => {
    if (typeof EventSource === "undefined") {
      setMode("polling", "polling every second");
      return poll(1000);
    }
    const es = new EventSource(streamUrl);
    let opened = false;
    const onMessage = (e) => {
      let data = null;
      try {
        data = JSON.parse(e.data);
        announce(describe(e.type, data));
      } catch {
        // not JSON: still a reason to reload
      }
      if (e.type === "capture") captured(data);
      else refreshSoon();
    };
    es.addEventListener("open", () => {
      opened = true;
      setMode("live", "live");
      poll(5000);
      refreshSoon();
    });
    for (const type of ["attempt", "delivery", "webhook", "lagged", "capture"]) es.addEventListener(type, onMessage);
    es.addEventListener("error", () => {
      // The sender went away (or refused the token): poll until it comes back.
      setMode("polling", opened ? "reconnecting… (polling every second)" : "polling every second");
      poll(1000);
      if (es.readyState === EventSource.CLOSED) setTimeout(open, 10_000);
    });
  };
  open();
}
