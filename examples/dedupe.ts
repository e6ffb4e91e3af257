// README.md's duplicates snippet (between #region and #endregion), run on one delivery
// sent twice: `node dedupe.ts` (Node >= 22.18 runs TypeScript).
import assert from "node:assert/strict";
import { Webhook } from "hookproof";

const wh = new Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
const body = JSON.stringify({ id: "evt_1", type: "order.paid" });
const headers = wh.sign(body);

// #region dedupe
import { ReplayGuard, type WebhookHeaders } from "hookproof";
const guard = new ReplayGuard({ ttlSeconds: 600, maxEntries: 10_000 });
/** Verifies a delivery; false for one already processed (a redelivery). */
function isNew(body: string, headers: WebhookHeaders): boolean {
  const event = wh.verify<{ id: string }>(body, headers);
  // wh.deliveryId: the scheme's own id header (standard, svix, vector, github, shopify); null
  // for the others, whose event carries its own id (Stripe and Vercel: event.id).
  return !guard.seen(wh.deliveryId(headers) ?? event.id);
}
// #endregion

assert.equal(isNew(body, headers), true);
assert.equal(isNew(body, headers), false);
