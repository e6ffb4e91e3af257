// hookproof/stripe in an Express app that used stripe-node: only the import changes.
//   STRIPE_WEBHOOK_SECRET=whsec_... node stripe.mjs
import express from "express";
import { WebhookVerificationError } from "hookproof";
import { constructEvent } from "hookproof/stripe"; // was: stripe.webhooks.constructEvent

const secret = process.env.STRIPE_WEBHOOK_SECRET;
if (!secret) throw new Error("set STRIPE_WEBHOOK_SECRET");
const app = express();
app.post("/stripe", express.raw({ type: "application/json" }), (req, res) => {
  let event;
  try {
    event = constructEvent(req.body, req.headers["stripe-signature"], secret);
  } catch (e) {
    if (!(e instanceof WebhookVerificationError)) throw e;
    res.status(401).json({ error: { code: e.code, message: e.message } });
    return;
  }
  console.log(`verified ${event.type} ${event.id}`);
  res.json({ received: true });
});
app.listen(Number(process.env.PORT ?? 3000), "127.0.0.1");
