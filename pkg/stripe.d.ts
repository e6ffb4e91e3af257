/**
 * hookproof/stripe: stripe-node's `stripe.webhooks.constructEvent`, on hookproof's
 * verifier. Moving a receiver off stripe-node changes its import:
 *
 * ```ts
 * import { constructEvent } from "hookproof/stripe";
 * const event = constructEvent(req.body, req.headers["stripe-signature"], process.env.STRIPE_WEBHOOK_SECRET!);
 * ```
 */
// `Stripe.Event` when the `stripe` package's types are installed, else StripeEventShape
// (events.d.ts).
import type { StripeEvent, StripeEventShape, WebhookBody } from "./index.js";

export type { StripeEvent, StripeEventShape };

/**
 * stripe-node's `stripe.webhooks.constructEvent`: verifies `header`, the
 * `Stripe-Signature` header's value, against `payload`, the raw body (never a parsed
 * object), and returns the event parsed from it. The signature is checked in constant time
 * against every `v1=` entry. Unlike stripe-node, a timestamp more than `tolerance` seconds
 * in the future is refused too (`timestamp_too_new`).
 * @param tolerance seconds; default 300; 0 or less skips the timestamp check, as in stripe-node.
 * @param _cryptoProvider stripe-node's; not used.
 * @param receivedAt milliseconds since the epoch that stand for now (default `Date.now()`).
 * @throws WebhookVerificationError (`code`: `missing_header`, `invalid_header`,
 *   `no_matching_signature`, `timestamp_too_old`, `invalid_payload`, ...); stripe-node
 *   throws its `StripeSignatureVerificationError` there. `message` never holds the secret.
 */
export function constructEvent(
  payload: WebhookBody,
  header: string | Uint8Array | string[] | undefined,
  secret: string,
  tolerance?: number,
  _cryptoProvider?: unknown,
  receivedAt?: number,
): StripeEvent;

/** {@link constructEvent} as a promise: stripe-node's `constructEventAsync`. */
export function constructEventAsync(
  payload: WebhookBody,
  header: string | Uint8Array | string[] | undefined,
  secret: string,
  tolerance?: number,
  _cryptoProvider?: unknown,
  receivedAt?: number,
): Promise<StripeEvent>;
