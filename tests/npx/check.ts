// Type-checked against the package's index.d.mts (deno check): the example and
// a few typed results.
import {
  type Capture,
  type Delivery,
  type Inbox,
  type InboxSettings,
  SenderError,
  startSender,
  type WebhookWithSecret,
} from "hookproof-sender";

const sender = await startSender({ timeScale: 0.001, attemptTimeout: "2s", chaosSeed: 7 });
const wh: WebhookWithSecret = await sender.createWebhook({
  url: "http://127.0.0.1:9/h",
  events: ["*"],
  profile: "stripe",
});
const ev = await sender.sendEvent({ type: "invoice.paid", data: { amount: 4200 } });
const d: Delivery = await sender.waitForDelivery(ev.deliveries[0].id, { status: "succeeded", timeoutMs: 5000 });
const code: string = d.status === "success" ? wh.secret : new SenderError("x").code;
// An inbox for the webhooks an app sends: settings typed, the capture's verification and
// conformance as the API returns them.
const settings: InboxSettings = { scheme: "standard", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" };
const inbox: Inbox = await sender.putInbox("app", settings);
const url: string = sender.inboxUrl(inbox.name);
const next: Promise<Capture> = sender.waitForCapture("app", { timeoutMs: 5000 });
await fetch(url, { method: "POST", body: "{}" });
const capture = await next;
const verified: boolean | undefined = capture.verification?.verified;
const failed: string[] = capture.conformance.filter((c) => c.status === "fail").map((c) => c.rule);
const replayed: number | null = (
  await sender.replayCapture("app", capture.id, { url: "http://127.0.0.1:9/", resign: true })
).status_code;
await sender.deleteInbox("app");
await sender[Symbol.asyncDispose]();
console.log(code, verified, failed, replayed);
