// README.md's Durable Objects snippet: a Worker that verifies a delivery and claims it in
// ReplayGuardObject, bound as REPLAY_GUARD (wrangler config in README.md). Run by
// tests/replay under Miniflare, from two Workers sharing the object.
// #region worker
import { ReplayGuard, Webhook, WebhookVerificationError, deliveryKey } from "hookproof";
import { durableObjectStore, type DurableObjectNamespaceLike } from "hookproof/durable-object";
export { ReplayGuardObject } from "hookproof/durable-object";

interface Env {
  WEBHOOK_SECRET: string;
  REPLAY_GUARD: DurableObjectNamespaceLike;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const wh = new Webhook(env.WEBHOOK_SECRET);
    const guard = new ReplayGuard({ store: durableObjectStore(env.REPLAY_GUARD), ttlSeconds: 3 * 24 * 3600 });
    const body = new Uint8Array(await request.arrayBuffer());
    let event: { type: string };
    try {
      event = wh.verify(body, request.headers);
      const key = await deliveryKey(wh, body, request.headers);
      if (!(await guard.claim(key))) return Response.json({ duplicate: true }); // 200: processed before
    } catch (e) {
      if (!(e instanceof WebhookVerificationError)) throw e;
      const status = e.code === "replay_store_unavailable" ? 503 : 401;
      return Response.json({ error: { code: e.code, message: e.message } }, { status });
    }
    // ... process the event once; if that fails: await guard.release(key), and answer 500.
    return Response.json({ received: event.type });
  },
};
// #endregion
