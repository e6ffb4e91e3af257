// A Worker without a framework: verifyRequest reads the body (at most 1 MiB) and checks it.
import { verifyRequest, WebhookVerificationError } from "hookproof";

export interface Env {
  WEBHOOK_SECRET: string;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    try {
      const event = await verifyRequest<{ type: string }>(request, env.WEBHOOK_SECRET, { scheme: "standard" });
      console.log(`verified ${event.type}`);
      return new Response(null, { status: 204 });
    } catch (e) {
      if (!(e instanceof WebhookVerificationError)) throw e;
      return Response.json({ error: { code: e.code, message: e.message } }, { status: 401 });
    }
  },
};
