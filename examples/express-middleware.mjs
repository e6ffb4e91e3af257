// hookproof/express: the middleware reads the raw body itself and sets req.webhook.
//   WEBHOOK_SECRET=whsec_... node express-middleware.mjs
import express from "express";
import { webhookMiddleware } from "hookproof/express";

const secret = process.env.WEBHOOK_SECRET;
if (!secret) throw new Error("set WEBHOOK_SECRET");
const app = express();
app.post("/webhooks", webhookMiddleware(secret), (req, res) => {
  console.log("verified", req.webhook);
  res.sendStatus(204);
});
app.listen(Number(process.env.PORT ?? 3000), "127.0.0.1");
