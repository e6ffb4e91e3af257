// hookproof/fastify: the plugin verifies the routes registered in its scope.
//   WEBHOOK_SECRET=whsec_... node fastify.ts   (Node >= 22.18 runs TypeScript)
import Fastify from "fastify";
import { webhookPlugin } from "hookproof/fastify";

type Delivery = { type: string; data: unknown };
const app = Fastify();
app.register(async (scope) => {
  await scope.register(webhookPlugin, { secret: process.env.WEBHOOK_SECRET!, scheme: "standard" });
  scope.post<{ Webhook: Delivery }>("/webhooks", async (request) => ({ received: request.webhook.type }));
});
await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT ?? 3000) });
