// The Worker of tests/replay/durable-object.test.mjs: POST {ids, ttlSeconds, release, name}
// claims every id at once through a ReplayGuard on the ReplayGuardObject namespace, and
// answers the results; GET /keys?name= counts what each of the objects holds.
import { ReplayGuard } from "hookproof";
import { ReplayGuardObject, durableObjectStore } from "hookproof/durable-object";

const SHARDS = 4;

/** ReplayGuardObject, and a count of its keys for the test. */
export class CountingReplayGuardObject extends ReplayGuardObject {
  #storage;

  constructor(state, env) {
    super(state, env);
    this.#storage = state.storage;
  }

  async fetch(request) {
    if (request.method === "GET") {
      // Keys (the "k:" entries), and every entry the object holds (their index too).
      const keys = (await this.#storage.list({ prefix: "k:" })).size;
      return Response.json({ keys, entries: (await this.#storage.list()).size });
    }
    return super.fetch(request);
  }
}

export default {
  async fetch(request, env) {
    if (request.method === "GET") {
      const name = new URL(request.url).searchParams.get("name");
      const counts = await Promise.all(
        Array.from({ length: SHARDS }, async (_, n) => {
          const stub = env.REPLAY_GUARD.get(env.REPLAY_GUARD.idFromName(`${name}:${n}`));
          return (await stub.fetch("https://count.test/")).json();
        }),
      );
      return Response.json(counts);
    }
    const { ids, ttlSeconds, release = [], name } = await request.json();
    const store = durableObjectStore(env.REPLAY_GUARD, { shards: SHARDS, name });
    const guard = new ReplayGuard({ store, ttlSeconds });
    await Promise.all(release.map((id) => guard.release(id)));
    const claimed = await Promise.all(ids.map((id) => guard.claim(id)));
    return Response.json({ claimed });
  },
};
