// Deno: verifyRequest reads and checks a Fetch API Request.
//   WEBHOOK_SECRET=whsec_... deno run --allow-net --allow-env deno.ts
import { verifyRequest, WebhookVerificationError } from "hookproof";

const secret = Deno.env.get("WEBHOOK_SECRET");
if (!secret) throw new Error("set WEBHOOK_SECRET");
Deno.serve({ hostname: "127.0.0.1", port: Number(Deno.env.get("PORT") ?? 8000) }, async (req) => {
  try {
    const event = await verifyRequest<{ type: string }>(req, secret, { scheme: "standard" });
    console.log(`verified ${event.type}`);
    return new Response(null, { status: 204 });
  } catch (e) {
    if (!(e instanceof WebhookVerificationError)) throw e;
    return Response.json({ error: { code: e.code, message: e.message } }, { status: 401 });
  }
});
