// Express: a route that keeps the raw body and verifies it with a Webhook.
//   WEBHOOK_SECRET=whsec_... node express.mjs
import express from "express";
import { Webhook, WebhookVerificationError } from "hookproof";

const secret = process.env.WEBHOOK_SECRET;
if (!secret) throw new Error("set WEBHOOK_SECRET");
const wh = new Webhook(secret, { scheme: "stripe" });
const app = express();
// express.raw, not express.json: the signature covers the exact bytes received.
app.post("/hooks", express.raw({ type: "*/*" }), (req, res) => {
  try {
    const event = wh.verify(req.body, req.headers);
    console.log("verified", event);
    res.sendStatus(204);
  } catch (e) {
    if (!(e instanceof WebhookVerificationError)) throw e;
    res.status(401).json({ error: { code: e.code, message: e.message } });
  }
});
app.listen(Number(process.env.PORT ?? 3000), "127.0.0.1");
