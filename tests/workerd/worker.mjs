// The Worker under test: POST /?scheme=NAME verifies the request with verifyRequest and
// answers 200 {"scheme", "event", "type"} (type: eventType's name of it), or 401 {"error": code} for a WebhookVerificationError.
// POST /doctor?scheme=NAME answers the signature doctor's report on the request and the
// headers the Worker signs the same body with (both from the lazily loaded tools module).
// POST /ed25519 verifies a standard delivery's v1a (Ed25519) signature with a whpk_ public
// key, which also runs on the tools module.
// POST /properties?cases=N&seed=S runs the string properties (tests/properties/strings.mjs)
// inside the Worker, on workerd's own TextEncoder, and answers each one's result.
import * as hookproof from "./pkg/src/workerd.mjs";
import { properties, settings } from "./properties/strings.mjs";

const { Webhook, verifyRequest, WebhookVerificationError, detectScheme, eventType } = hookproof;

const SECRETS = { standard: "STANDARD_SECRET", stripe: "STRIPE_SECRET", github: "GITHUB_SECRET" };

export default {
  async fetch(request, env) {
    if (request.method !== "POST") return Response.json({ error: "method_not_allowed" }, { status: 405 });
    const params = new URL(request.url).searchParams;
    if (new URL(request.url).pathname === "/properties") {
      const results = [];
      for (const [name, run] of properties(
        hookproof,
        settings(params.get("cases") ?? undefined, params.get("seed") ?? undefined),
      )) {
        try {
          await run();
          results.push({ name, ok: true });
        } catch (e) {
          results.push({ name, ok: false, error: String(e?.message ?? e).slice(0, 2000) });
        }
      }
      return Response.json({ results });
    }
    const scheme = new URL(request.url).searchParams.get("scheme") ?? detectScheme(request.headers) ?? "standard";
    const binding = new URL(request.url).pathname === "/ed25519" ? "ED25519_PUBLIC" : SECRETS[scheme];
    if (!binding) return Response.json({ error: "unknown_scheme" }, { status: 400 });
    if (new URL(request.url).pathname === "/doctor") {
      const wh = new Webhook(env[binding], { scheme });
      const body = new Uint8Array(await request.arrayBuffer());
      return Response.json({ report: wh.diagnose(body, request.headers), signed: wh.sign(body, { id: "msg_worker" }) });
    }
    try {
      const event = await verifyRequest(request, env[binding], { scheme });
      return Response.json({ scheme, event, type: eventType(request.headers, event) });
    } catch (e) {
      if (e instanceof WebhookVerificationError) {
        return Response.json({ error: e.code }, { status: 401 });
      }
      return Response.json({ error: "internal", message: String(e?.stack ?? e) }, { status: 500 });
    }
  },
};
