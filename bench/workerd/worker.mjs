// The benchmark Worker, bundled by drive.mjs (esbuild: the peers' worker builds, hookproof's
// workerd entry, with its .wasm import left to workerd) into the run's build folder (--build). workerd's clocks only advance on I/O (Spectre mitigation), so
// nothing is timed in here: the driver (drive.mjs) times whole requests from outside.
//   GET /prepare?size=S        sign a body of S bytes, build and check every contender
//   GET /run?id=ID&size=S&n=N  call contender ID's verify N times (awaiting async ones)
import { createHmac, timingSafeEqual } from "node:crypto";
import { Buffer } from "node:buffer";
import { StandardWebhook, SvixWebhook, Stripe, octokitVerify } from "../lib/peers-entry.mjs";
// "hookproof" is aliased by drive.mjs's esbuild bundling to <pkg>/src/workerd.mjs.
import { Webhook } from "hookproof";
import { available, prepare } from "../lib/cases.mjs";

const deps = {
  Webhook,
  StandardWebhook,
  SvixWebhook,
  Stripe,
  stripe: new Stripe("sk_test_bench", { httpClient: Stripe.createFetchHttpClient() }),
  octokitVerify,
  createHmac,
  timingSafeEqual,
  Buffer,
  subtle: crypto.subtle,
  // stripe's worker build has no sync crypto: constructEventAsync only.
  skip: ["stripe"],
};

const prepared = new Map(); // size -> Map(id -> { fn, body, async })

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const size = Number(url.searchParams.get("size"));
    try {
      if (url.pathname === "/prepare") {
        const only = url.searchParams.get("only")?.split(",") ?? null;
        const list = await prepare(deps, available(deps, only), size);
        prepared.set(
          size,
          new Map(list.map((p) => [p.contender.id, { fn: p.fn, body: p.body, async: !!p.contender.async }])),
        );
        return Response.json(
          list.map(({ contender: c }) => ({
            id: c.id,
            label: c.label,
            group: c.group,
            parses: c.parses,
            hp: c.hp ?? null,
          })),
        );
      }
      if (url.pathname === "/run") {
        const n = Number(url.searchParams.get("n"));
        const p = prepared.get(size)?.get(url.searchParams.get("id"));
        if (!p) return new Response("not prepared", { status: 404 });
        const { fn, body } = p;
        if (p.async) for (let i = 0; i < n; i++) await fn(body);
        else for (let i = 0; i < n; i++) fn(body);
        return new Response("ok");
      }
      return new Response("not found", { status: 404 });
    } catch (e) {
      return new Response(String(e?.stack ?? e), { status: 500 });
    }
  },
};
