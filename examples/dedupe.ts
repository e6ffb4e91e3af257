// README.md's duplicates snippet (between #region and #endregion), run on one delivery
// sent twice: `node dedupe.ts` (Node >= 22.18 runs TypeScript).
import assert from "node:assert/strict";
import { Webhook } from "hookproof";

const wh = new Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
const body = JSON.stringify({ id: "evt_1", type: "order.paid" });
const headers = wh.sign(body);

// #region dedupe
import { ReplayGuard, deliveryKey, type WebhookHeaders } from "hookproof";
const guard = new ReplayGuard({ ttlSeconds: 3 * 24 * 3600 }); // in memory: one process
/** Verifies a delivery; false for one already processed (a redelivery). */
async function isNew(body: string, headers: WebhookHeaders): Promise<boolean> {
  wh.verify(body, headers);
  // deliveryKey: the scheme's own id header (standard, svix, vector, github, shopify), else
  // "sha256:" and the body's hex SHA-256. For Stripe and Vercel, prefer the event's own id.
  return guard.claim(await deliveryKey(wh, body, headers));
}
// #endregion

assert.equal(await isNew(body, headers), true);
assert.equal(await isNew(body, headers), false);
