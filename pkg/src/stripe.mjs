// hookproof/stripe: stripe-node's `stripe.webhooks.constructEvent`, on hookproof's
// verifier, so that moving off stripe-node changes an import and nothing else.
import { Webhook, WebhookVerificationError } from "#hookproof";

const DEFAULT_TOLERANCE = 300;
// stripe-node skips the timestamp check for a tolerance <= 0; this one is never reached.
const NO_TOLERANCE = Number.MAX_SAFE_INTEGER;
const decoder = new TextDecoder();

// Verifiers by tolerance and secret, so that a receiver's every call does not key a new
// one. A few at most: a receiver has one secret or two.
const verifiers = new Map();
const MAX_VERIFIERS = 8;

function verifier(secret, tolerance) {
  const key = `${tolerance}:${secret}`;
  let wh = verifiers.get(key);
  if (wh === undefined) {
    wh = new Webhook(secret, { scheme: "stripe", toleranceSeconds: tolerance });
    if (verifiers.size >= MAX_VERIFIERS) verifiers.delete(verifiers.keys().next().value);
    verifiers.set(key, wh);
  }
  return wh;
}

/**
 * stripe-node's `stripe.webhooks.constructEvent(payload, header, secret, tolerance)`:
 * verifies the `Stripe-Signature` header's value and returns the event parsed from
 * `payload`, or throws a WebhookVerificationError. `tolerance` (seconds, default 300) <= 0
 * skips the timestamp check, as in stripe-node; `receivedAt` (milliseconds) stands for
 * now. The fifth argument, stripe-node's crypto provider, is not used.
 */
export function constructEvent(payload, header, secret, tolerance, _cryptoProvider, receivedAt) {
  if (Array.isArray(header)) {
    throw new WebhookVerificationError(
      "invalid_header",
      "the Stripe-Signature header is an array: pass its string value (req.headers['stripe-signature'])",
    );
  }
  if (typeof secret !== "string" || secret === "") {
    const unset = secret === undefined ? " (is the environment variable that holds it set?)" : "";
    throw new WebhookVerificationError("invalid_secret", `the webhook secret must be a non-empty string${unset}`);
  }
  const value = header instanceof Uint8Array ? decoder.decode(header) : header;
  let seconds = tolerance ?? DEFAULT_TOLERANCE;
  if (typeof seconds === "number" && seconds <= 0) seconds = NO_TOLERANCE;
  const headers = { "stripe-signature": value };
  if (receivedAt === undefined) return verifier(secret, seconds).verify(payload, headers);
  // A clock of its own for this call: rare (tests), so not kept.
  return new Webhook(secret, { scheme: "stripe", toleranceSeconds: seconds, now: () => receivedAt }).verify(
    payload,
    headers,
  );
}

/** The same, as a promise: stripe-node's `constructEventAsync`. */
export async function constructEventAsync(...args) {
  return constructEvent(...args);
}
