// Shared by the framework integrations (express, hono, next, fastify): their `replayGuard`
// option. A verified delivery's key is claimed before the handler runs; a duplicate is
// answered 200 and never reaches it; a handler that fails releases the claim, so that the
// provider's retry is processed.
import { WebhookVerificationError, deliveryKey } from "#hookproof";

/** The answer to a duplicate: 2xx, so that the provider stops sending it. */
export const DUPLICATE_BODY = { duplicate: true };

/** The `replayGuard` and `replayKey` options, checked; null without a guard. */
export function replayOptions(options) {
  const guard = options?.replayGuard;
  const key = options?.replayKey;
  if (key !== undefined && typeof key !== "function") {
    throw new WebhookVerificationError("invalid_option", "replayKey must be a function (event, headers) => string");
  }
  if (guard === undefined) {
    if (key !== undefined) throw new WebhookVerificationError("invalid_option", "replayKey needs a replayGuard");
    return null;
  }
  if (typeof guard?.claim !== "function" || typeof guard?.release !== "function") {
    throw new WebhookVerificationError("invalid_option", "replayGuard must be a ReplayGuard");
  }
  return { guard, key };
}

/**
 * Claims a verified delivery: resolves to a function that releases the claim, or null for
 * a duplicate. The key is `replayKey(event, headers)` when that gives a string, else
 * `deliveryKey` (the scheme's delivery id, or the body's SHA-256). Rejects with
 * `replay_store_unavailable` when the store fails (onStoreError "reject").
 */
export async function claimDelivery(replay, webhook, body, headers, event) {
  const custom = replay.key?.(event, headers);
  const key = typeof custom === "string" && custom !== "" ? custom : await deliveryKey(webhook, body, headers);
  if (!(await replay.guard.claim(key))) return null;
  // A failed release cannot be answered any more (the failure is already the answer): the
  // retry then meets the claim until it expires.
  return () => replay.guard.release(key).catch(() => {});
}

/** Whether an answer's status tells the provider the delivery was taken (2xx). */
export function accepted(status) {
  return status >= 200 && status < 300;
}
