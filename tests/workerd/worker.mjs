// The Worker under test: POST /?scheme=NAME verifies the request with verifyRequest and
// answers 200 {"event": ...}, or 401 {"error": code} for a WebhookVerificationError.
import { verifyRequest, WebhookVerificationError, detectScheme } from "./pkg/src/workerd.mjs";

const SECRETS = { standard: "STANDARD_SECRET", stripe: "STRIPE_SECRET", github: "GITHUB_SECRET" };

export default {
  async fetch(request, env) {
    if (request.method !== "POST") return Response.json({ error: "method_not_allowed" }, { status: 405 });
    const scheme = new URL(request.url).searchParams.get("scheme") ?? detectScheme(request.headers) ?? "standard";
    const binding = SECRETS[scheme];
    if (!binding) return Response.json({ error: "unknown_scheme" }, { status: 400 });
    try {
      const event = await verifyRequest(request, env[binding], { scheme });
      return Response.json({ scheme, event });
    } catch (e) {
      if (e instanceof WebhookVerificationError) {
        return Response.json({ error: e.code }, { status: 401 });
      }
      return Response.json({ error: "internal", message: String(e?.stack ?? e) }, { status: 500 });
    }
  },
};
