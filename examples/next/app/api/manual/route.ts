// app/api/manual/route.ts: verifyNextRequest, for a handler that answers failures itself.
import { verifyNextRequest } from "hookproof/next";

export async function POST(request: Request): Promise<Response> {
  const result = await verifyNextRequest<{ type: string }>(request, process.env.WEBHOOK_SECRET!);
  if (!result.ok) return result.response;
  return Response.json({ received: result.event.type });
}
