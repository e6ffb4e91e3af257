// Type-checked by `deno check` in the scratch project: the published index.d.mts (and
// express.d.mts, stripe.d.mts), found through package.json "exports" ("types" condition) in node_modules.
import {
  Webhook,
  WebhookVerificationError,
  eventType,
  typedEvent,
  verifyRequest,
  type GitHubEvent,
  type GitHubEventShape,
  type Scheme,
  type StripeEvent,
  type StripeEventShape as ShapeFromIndex,
  type VectorEvent,
  type WebhookErrorCode,
} from "hookproof";
// @ts-expect-error: the ES module entry has no default export (index.d.mts says so)
import hookproof from "hookproof";
import type { WebhookEvent } from "hookproof/express";
import { constructEvent, type StripeEventShape } from "hookproof/stripe";

const scheme: Scheme = "github";
const wh: Webhook = new Webhook(["a", new Uint8Array([1, 2])], { scheme, toleranceSeconds: 60, now: () => new Date() });
const headers: Record<string, string> = wh.sign("{}", { id: "msg_1", timestamp: new Date() });
const event = wh.verify<{ ok: boolean }>("{}", new Headers(headers));
const ok: boolean = event.ok;
try {
  wh.verifySignature(new Uint8Array(0), headers);
} catch (e) {
  if (e instanceof WebhookVerificationError) {
    const code: WebhookErrorCode = e.code;
    console.log(code, ok, typeof hookproof);
  }
}
export const verified: Promise<{ ok: boolean }> = verifyRequest(new Request("http://x"), "s", { limit: 1024 });
// @ts-expect-error: limit is a number of bytes
verifyRequest(new Request("http://x"), "s", { limit: "1mb" });
// hookproof/express: req.webhook is unknown until the app declares WebhookTypes (see
// tests/integrations/types.ts for a declared one).
declare const req: Express.Request;
// @ts-expect-error: unknown
export const webhookType: string | undefined = req.webhook?.type;
export const unknownEvent: unknown extends WebhookEvent ? true : false = true;
// @ts-expect-error: not a scheme
new Webhook("s", { scheme: "nope" });
// @ts-expect-error: a parsed body is not a WebhookBody
wh.verify({ parsed: true }, headers);
// hookproof/stripe where the `stripe` package is not installed: the event is a
// StripeEventShape, not `any`.
export const stripeEvent: StripeEventShape = constructEvent("{}", "t=1,v1=00", "whsec_x", 300);
// @ts-expect-error: a string
export const stripeEventType: number = constructEvent("{}", "t=1,v1=00", "whsec_x").type;
// Typed events without the optional peers (`stripe`, `@octokit/openapi-webhooks-types`):
// everything type-checks, GitHub's and Stripe's events are their shapes, named by a string.
export const shape: ShapeFromIndex = new Webhook<StripeEvent>("s", { scheme: "stripe" }).verify("{}", headers);
const gh = typedEvent(headers, new Webhook<GitHubEvent>("s", { scheme: "github" }).verify("{}", headers));
export const ghType: string = gh.type;
export const ghShape: GitHubEventShape = gh.event;
// The catalog's own types need no peer: narrowing on the name types the payload.
const vector = new Webhook<VectorEvent>("s", { scheme: "vector" }).verify("{}", headers);
if (vector.event === "vector.deployment.failed") console.log(vector.data.error.message);
// @ts-expect-error: only a failed deployment has an error
if (vector.event === "vector.site.created") console.log(vector.data.error);
export const vectorType: VectorEvent["event"] = eventType(headers, vector);
