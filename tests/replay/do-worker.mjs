// The Worker of tests/replay/durable-object.test.mjs: POST {ids, ttlSeconds} claims every id
// at once through a ReplayGuard on the ReplayGuardObject namespace, and answers the results.
import { ReplayGuard } from "hookproof";
import { durableObjectStore } from "hookproof/durable-object";

export { ReplayGuardObject } from "hookproof/durable-object";

export default {
  async fetch(request, env) {
    const { ids, ttlSeconds, release = [] } = await request.json();
    const guard = new ReplayGuard({ store: durableObjectStore(env.REPLAY_GUARD, { shards: 4 }), ttlSeconds });
    await Promise.all(release.map((id) => guard.release(id)));
    const claimed = await Promise.all(ids.map((id) => guard.claim(id)));
    return Response.json({ claimed });
  },
};
