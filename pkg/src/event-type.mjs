// The name of a verified event, whatever the provider: where each one puts it.
import { headerReader, headerValue } from "./input.mjs";

/** Providers whose event name is a header, not in the payload: GitHub's, Shopify's. */
const NAME_HEADERS = ["x-github-event", "x-shopify-topic"];

/**
 * The event's name: GitHub's and Shopify's header; else Slack's `event.type` in an
 * `event_callback`, `type` (Stripe, Standard Webhooks, Svix, Vercel, Slack, generic),
 * `event` (Vector, Vector.co); null when none is there.
 */
export function eventType(headers, event) {
  const read = headerReader(headers);
  for (const name of NAME_HEADERS) {
    const value = headerValue(read(name));
    if (value) return value;
  }
  if (event === null || typeof event !== "object") return null;
  if (event.type === "event_callback" && typeof event.event?.type === "string") return event.event.type;
  if (typeof event.type === "string") return event.type;
  if (typeof event.event === "string") return event.event;
  return null;
}

/** `{ type, event }`: the event beside its name (typed so that narrowing one narrows both). */
export function typedEvent(headers, event) {
  return { type: eventType(headers, event), event };
}
