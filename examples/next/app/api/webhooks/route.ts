// app/api/webhooks/route.ts: a Next.js route handler that runs only for a verified delivery.
import { withWebhook } from "hookproof/next";

type Delivery = { type: string; data: unknown };
export const POST = withWebhook<Delivery>(
  async (event) => Response.json({ received: event.type }),
  process.env.WEBHOOK_SECRET!,
);
