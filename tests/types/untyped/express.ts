// Type test (tsc -p tests/types/untyped, from tests/node/events.test.mjs): hookproof/express
// in an app that declares no WebhookTypes. `req.webhook` is `unknown` and `replayKey` gets
// `any`, as before the event type was declared; ../events.ts declares one.
import { webhookMiddleware, type ExpressWebhookOptions, type WebhookEvent } from "hookproof/express";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const same = <A, B>(ok: Equal<A, B>): Equal<A, B> => ok;

same<WebhookEvent, unknown>(true);
declare const req: Express.Request;
same<typeof req.webhook, unknown>(true);
// @ts-expect-error: an undeclared event is unknown until narrowed
console.log(req.webhook?.id);

same<Parameters<NonNullable<ExpressWebhookOptions["replayKey"]>>[0], any>(true);
webhookMiddleware("whsec_x", { scheme: "stripe", replayKey: (e) => e.id });
