// The dashboard's client of the hookproof-sender API, on the page's origin under /v1
// (mock-sender/src/api/filters.rs; the shapes are models.rs's, and /openapi.json says the
// same). Every answer is `{"data": ...}`, every error `{"error": {code, message}}`.
// Records keep the API's field names; the page adds, on deliveries and attempts, times in
// milliseconds, and on attempts `at` (when it was made) and `ok` (it went as it should).

const API = "/v1";

/** Milliseconds since the epoch of an RFC 3339 time; null for none. */
export function toMs(time) {
  const ms = time ? Date.parse(time) : NaN;
  return Number.isNaN(ms) ? null : ms;
}

/** A delivery status as the page says it: the API's `success` reads `succeeded`. */
export const statusWord = (status) => (status === "success" ? "succeeded" : status);

/** A delivery (`DeliveryView`): its status in the page's word, its times in ms. */
function delivery(d) {
  return {
    ...d,
    status: statusWord(d.status),
    created_at: toMs(d.created_at),
    next_attempt_at: toMs(d.next_attempt_at),
  };
}

/**
 * An attempt (`LogView`): `at` is when it was made, `ok` whether it went as it should (a 2xx,
 * or, for a forged or stale chaos request, a rejection).
 */
function attempt(a) {
  return {
    ...a,
    at: toMs(a.delivered_at),
    ok: a.outcome === "success" || a.outcome === "rejected",
    next_attempt_at: toMs(a.next_attempt_at),
  };
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export class Api {
  /** `token`: the sender's `--token`, sent as a bearer token; null for none. */
  constructor(token = null) {
    this.token = token;
  }

  /** The `data` of the answer to `method path` (under /v1); throws ApiError. */
  request(method, path, body) {
    return this.send(method, path, body === undefined ? undefined : JSON.stringify(body));
  }

  /** As `request`, with `body` the JSON text to send as given (byte for byte). */
  async send(method, path, body) {
    const headers = { accept: "application/json" };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(API + path, { method, headers, body, cache: "no-store" });
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: reported below
    }
    if (!res.ok) {
      const err = json?.error ?? {};
      throw new ApiError(
        res.status,
        err.code ?? `http_${res.status}`,
        err.message ?? `${method} ${API}${path}: HTTP ${res.status}`,
      );
    }
    return json?.data ?? null;
  }

  /** The profile names the sender takes: its OpenAPI document's, which lists them. */
  async profiles() {
    const res = await fetch("/openapi.json", { cache: "no-store" });
    if (!res.ok) throw new ApiError(res.status, `http_${res.status}`, `GET /openapi.json: HTTP ${res.status}`);
    return (await res.json()).components.schemas.CreateWebhook.properties.profile.enum;
  }

  /** Every webhook (`WebhookView`: no secret). */
  webhooks() {
    return this.request("GET", "/webhooks");
  }

  /**
   * The newest `limit` deliveries that match `filter` ({webhook_id, event_type, status}, each
   * optional; status as the API says it), newest first: the sender filters, so older
   * matches are found too.
   */
  async deliveries(filter, limit) {
    const query = new URLSearchParams({ ...filter, limit: String(limit) });
    return (await this.request("GET", `/deliveries?${query}`)).map(delivery);
  }

  /** How many of webhook `id`'s deliveries are `{pending, success, failed}`. */
  stats(id) {
    return this.request("GET", `/webhooks/${encodeURIComponent(id)}/stats`);
  }

  /** One delivery by id, with its `body` (the bytes every attempt sent, as text), or null when the sender does not know it. */
  async delivery(id) {
    try {
      return delivery(await this.request("GET", `/deliveries/${encodeURIComponent(id)}`));
    } catch (e) {
      if (e.status === 404) return null;
      throw e;
    }
  }

  /** The newest `limit` attempts of every webhook, newest first (for the chart). */
  async logs(limit) {
    return (await this.request("GET", `/logs?limit=${limit}`)).map(attempt);
  }

  /** Delivery `id`'s attempts (and its chaos requests), oldest first. */
  async attempts(id) {
    return (await this.request("GET", `/deliveries/${encodeURIComponent(id)}/attempts`)).map(attempt);
  }

  setEnabled(id, enabled) {
    return this.updateWebhook(id, { enabled });
  }

  /** Creates a webhook (`POST /v1/webhooks`): the answer carries its secret, this once. */
  createWebhook(fields) {
    return this.request("POST", "/webhooks", fields);
  }

  /** Changes the fields given (`PUT /v1/webhooks/{id}`, a partial update). */
  updateWebhook(id, fields) {
    return this.request("PUT", `/webhooks/${encodeURIComponent(id)}`, fields);
  }

  /** A new secret for webhook `id`, returned this once (`{secret, ...}`). */
  rotateSecret(id) {
    return this.request("POST", `/webhooks/${encodeURIComponent(id)}/rotate-secret`, {});
  }

  deleteWebhook(id) {
    return this.request("DELETE", `/webhooks/${encodeURIComponent(id)}`);
  }

  /** Sends webhook `id` a test event; the delivery made. */
  sendTest(id) {
    return this.request("POST", `/webhooks/${encodeURIComponent(id)}/test`);
  }

  retry(id) {
    return this.request("POST", `/deliveries/${encodeURIComponent(id)}/retry`);
  }

  /**
   * Sends event `type` to the webhooks `webhookIds` (none: every matching webhook):
   * `{id, type, deliveries}`. `dataText` is JSON text, sent byte for byte (number text and
   * key order kept); empty: each webhook gets its profile's catalog example.
   */
  sendEvent(type, dataText, webhookIds = []) {
    const parts = [`"type":${JSON.stringify(type)}`];
    if (dataText.trim()) parts.push(`"data":${dataText}`);
    if (webhookIds.length) parts.push(`"webhook_ids":${JSON.stringify(webhookIds)}`);
    return this.send("POST", "/events", `{${parts.join(",")}}`);
  }

  /** The event catalog of `profile`: `[{profile, type, description, headers, schema, payload, data}]`. */
  eventTypes(profile) {
    return this.request("GET", `/event-types?profile=${encodeURIComponent(profile)}`);
  }

  // ------------------------------------------------------------------------ inboxes
  /** Every inbox (`InboxListed`: settings without secrets, capture count), by name. */
  inboxes() {
    return this.request("GET", "/inboxes");
  }

  /** Inbox `name` and its summary (`Inbox`). */
  inbox(name) {
    return this.request("GET", `/inboxes/${encodeURIComponent(name)}`);
  }

  /** `PUT /v1/inboxes/{name}`: `{scheme?, secret?, tolerance_seconds?, forward_to?, respond_with?}`. */
  configureInbox(name, config) {
    return this.request("PUT", `/inboxes/${encodeURIComponent(name)}`, config);
  }

  deleteInbox(name) {
    return this.request("DELETE", `/inboxes/${encodeURIComponent(name)}`);
  }

  /** Inbox `name`'s newest `limit` captures, newest first (credentials masked by the sender). */
  captures(name, limit) {
    return this.request("GET", `/inboxes/${encodeURIComponent(name)}/captures?limit=${limit}`);
  }

  /** One capture, or null when the sender does not know it. */
  async capture(name, id) {
    try {
      return await this.request("GET", `/inboxes/${encodeURIComponent(name)}/captures/${encodeURIComponent(id)}`);
    } catch (e) {
      if (e.status === 404) return null;
      throw e;
    }
  }

  /** Sends capture `id` again (`{url?, resign?}`); the answer (`Forwarded`). */
  replay(name, id, options) {
    return this.request(
      "POST",
      `/inboxes/${encodeURIComponent(name)}/captures/${encodeURIComponent(id)}/replay`,
      options,
    );
  }

  /** The schemes an inbox verifies with, as the sender's /openapi.json names them. */
  async schemes() {
    const res = await fetch("/openapi.json", { cache: "no-store" });
    if (!res.ok) throw new ApiError(res.status, `http_${res.status}`, `GET /openapi.json: HTTP ${res.status}`);
    const doc = await res.json();
    return doc.components?.schemas?.ConfigureInbox?.properties?.scheme?.enum ?? [];
  }

  /** The server-sent events URL (EventSource cannot send headers: the token goes in the query). */
  streamUrl() {
    const q = this.token ? `?token=${encodeURIComponent(this.token)}` : "";
    return `${API}/stream${q}`;
  }
}
