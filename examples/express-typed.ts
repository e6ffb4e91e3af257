// hookproof/express with TypeScript: req.webhook typed for the app, once.
//   WEBHOOK_SECRET=whsec_... node express-typed.ts   (Node >= 22.18 runs TypeScript)
import express from "express";
import type Stripe from "stripe";
import { webhookMiddleware } from "hookproof/express";

declare module "hookproof/express" {
  interface WebhookTypes {
    event: Stripe.Event;
  }
}

const app = express();
app.post("/webhooks", webhookMiddleware(process.env.WEBHOOK_SECRET!, { scheme: "stripe" }), (req, res) => {
  res.json({ received: req.webhook?.type });
});
app.listen(Number(process.env.PORT ?? 3000), "127.0.0.1");
