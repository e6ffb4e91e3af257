// Type-checked against the package's index.d.mts (deno check): the example and
// a few typed results.
import { type Delivery, SenderError, startSender, type WebhookWithSecret } from "hookproof-sender";

const sender = await startSender({ timeScale: 0.001, attemptTimeout: "2s", chaosSeed: 7 });
const wh: WebhookWithSecret = await sender.createWebhook({
  url: "http://127.0.0.1:9/h",
  events: ["*"],
  profile: "stripe",
});
const ev = await sender.sendEvent({ type: "invoice.paid", data: { amount: 4200 } });
const d: Delivery = await sender.waitForDelivery(ev.deliveries[0].id, { status: "succeeded", timeoutMs: 5000 });
const code: string = d.status === "success" ? wh.secret : new SenderError("x").code;
await sender[Symbol.asyncDispose]();
console.log(code);
