// The dashboard's view of the hookproof-sender REST API (same origin). The sender's
// routes may live at the root (`/webhooks`) or under `/v1`; the prefix is found once.
// Records are normalized so the page does not care which field names the sender uses:
//   webhook  { id, url, type (the profile), kind (http|slack), events, enabled, description,
//              throttled_until (ISO time|null) }
//   delivery { id, webhook_id, event_id, event_type, status, attempts, max_attempts,
//              next_attempt_at (ms|null), last_status_code, last_error, created_at (ms) }
//   attempt  { id, delivery_id, webhook_id, event_type, attempt, at (ms), ms, status_code, ok, error,
//              outcome, next_attempt_at (ms|null), chaos (duplicate|forged|stale|null),
//              expect (accept|reject|null), accepted_bad }
//   (a chaos request is `ok` when the receiver did what it should: a forged or stale one
//   is ok when rejected)

/** Milliseconds since the epoch from ms, seconds, or an ISO string; null otherwise. */
export function toMs(v) {
  if (v === null || v === undefined || v === "") return null;
  if (typeof v === "number") return v < 1e12 ? v * 1000 : v;
  const n = Number(v);
  if (Number.isFinite(n)) return toMs(n);
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/** The time inside a ULID id (`msg_01H...`), for senders whose records carry no created_at. */
export function ulidTime(id) {
  const ulid = String(id ?? "")
    .split("_")
    .pop()
    .toUpperCase();
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(ulid)) return null;
  let t = 0;
  for (const c of ulid.slice(0, 10)) t = t * 32 + CROCKFORD.indexOf(c);
  return t;
}

const STATUS = {
  success: "succeeded",
  succeeded: "succeeded",
  delivered: "succeeded",
  failed: "failed",
  pending: "pending",
};
/** A delivery status in the page's words (`succeeded`, `failed`, `pending`). */
export const deliveryStatus = (s) => STATUS[s] ?? s;
// The page's words as the sender's `?status=` takes them.
const STATUS_QUERY = { succeeded: "success", failed: "failed", pending: "pending" };

export function webhook(w) {
  return {
    id: w.id,
    url: w.url,
    // The signing profile: `profile` (with `type` = http|slack), or the older `type` = scheme.
    type: w.profile ?? w.scheme ?? w.type ?? "",
    kind: w.profile !== undefined ? (w.type ?? "http") : "http",
    events: w.events ?? [],
    enabled: w.enabled ?? !w.disabled,
    description: w.description ?? "",
    // While the receiver's 429, 502, 503 or 504 pauses the endpoint (ISO time), else null.
    throttled_until: w.throttled_until ?? null,
  };
}

export function delivery(d, webhookId) {
  return {
    id: d.id,
    webhook_id: d.webhook_id ?? webhookId ?? "",
    event_id: d.event_id ?? "",
    event_type: d.event_type ?? d.event ?? d.type ?? "",
    status: deliveryStatus(d.status),
    attempts: d.attempts ?? 0,
    max_attempts: d.max_attempts ?? null,
    next_attempt_at: toMs(d.next_attempt_at),
    last_status_code: d.last_status_code ?? null,
    last_error: d.last_error ?? null,
    created_at: toMs(d.created_at) ?? ulidTime(d.id) ?? 0,
  };
}

export function attempt(a, webhookId) {
  const code = a.status_code ?? null;
  const ok = a.outcome
    ? a.outcome === "success" || a.outcome === "rejected"
    : code !== null && code >= 200 && code < 300;
  return {
    id: a.id,
    delivery_id: a.delivery_id,
    webhook_id: a.webhook_id ?? webhookId ?? "",
    event_type: a.event ?? a.event_type ?? "",
    attempt: a.attempt,
    at: toMs(a.started_at ?? a.delivered_at ?? a.at),
    ms: a.duration_ms ?? a.response_time_ms ?? null,
    status_code: code,
    ok,
    error: a.error ?? null,
    outcome: a.outcome ?? (ok ? "success" : "failed"),
    next_attempt_at: toMs(a.next_attempt_at),
    chaos: a.chaos ?? null,
    expect: a.expect ?? null,
    accepted_bad: a.receiver_accepted_bad === true,
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
  constructor({ base = null, token = null } = {}) {
    this.base = base; // null until found
    this.token = token;
    this.perWebhook = false; // true when the sender only lists deliveries per webhook
  }

  async request(method, path, body) {
    const headers = { accept: "application/json" };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch((this.base ?? "") + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
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
        err.message ?? `${method} ${path}: HTTP ${res.status}`,
      );
    }
    return json;
  }

  /** Finds the route prefix: `?api=` wins; else `/v1` if it answers, else the root. */
  async discover(explicit) {
    if (explicit !== null && explicit !== undefined) {
      this.base = explicit.replace(/\/$/, "");
      return this.base;
    }
    for (const base of ["", "/v1"]) {
      this.base = base;
      try {
        const r = await this.request("GET", "/webhooks");
        if (r && Array.isArray(r.data)) return base;
      } catch (e) {
        if (e.status === 401) return base;
      }
    }
    this.base = "";
    throw new ApiError(0, "no_api", "no hookproof-sender API on this origin (GET /webhooks and /v1/webhooks failed)");
  }

  async webhooks() {
    return (await this.request("GET", "/webhooks")).data.map(webhook);
  }

  /**
   * The newest `limit` deliveries that match `filter` ({webhook_id, event, status}, each
   * optional; status in the page's words), newest first: the sender filters, so older
   * matches are found too.
   */
  async deliveries(webhooks, filter = {}, limit = 500) {
    const query = (withWebhook) => {
      const q = new URLSearchParams({ limit: String(limit) });
      if (withWebhook && filter.webhook_id) q.set("webhook_id", filter.webhook_id);
      if (filter.event) q.set("event", filter.event);
      if (filter.status) q.set("status", STATUS_QUERY[filter.status] ?? filter.status);
      return q;
    };
    if (!this.perWebhook) {
      try {
        return (await this.request("GET", `/deliveries?${query(true)}`)).data.map((d) => delivery(d));
      } catch (e) {
        if (e.status !== 404 && e.status !== 405) throw e;
        this.perWebhook = true;
      }
    }
    const lists = await Promise.all(
      webhooks
        .filter((w) => !filter.webhook_id || w.id === filter.webhook_id)
        .map(async (w) =>
          (await this.request("GET", `/webhooks/${encodeURIComponent(w.id)}/deliveries?${query(false)}`)).data.map(
            (d) => delivery(d, w.id),
          ),
        ),
    );
    return lists
      .flat()
      .sort((a, b) => b.created_at - a.created_at)
      .slice(0, limit);
  }

  /**
   * How many of webhook `id`'s deliveries are pending, succeeded and failed
   * (`{pending, success, failed}`), or null from a sender without the stats route.
   */
  async stats(id) {
    try {
      return (await this.request("GET", `/webhooks/${encodeURIComponent(id)}/stats`)).data;
    } catch (e) {
      if (e.status === 404 || e.status === 405) return null;
      throw e;
    }
  }

  /** One delivery by id, or null when the sender does not know it. */
  async deliveryById(id) {
    try {
      const r = await this.request("GET", `/deliveries/${encodeURIComponent(id)}`);
      return delivery(r.data ?? r);
    } catch (e) {
      if (e.status === 404) return null;
      throw e;
    }
  }

  /** Every attempt, newest first (for the chart). */
  async logs(webhooks, limit = 1000) {
    if (!this.perWebhook) {
      try {
        return (await this.request("GET", `/logs?limit=${limit}`)).data.map((a) => attempt(a));
      } catch (e) {
        if (e.status !== 404 && e.status !== 405) throw e;
        this.perWebhook = true;
      }
    }
    const lists = await Promise.all(
      webhooks.map(async (w) =>
        (await this.request("GET", `/webhooks/${encodeURIComponent(w.id)}/logs?limit=${limit}`)).data.map((a) =>
          attempt(a, w.id),
        ),
      ),
    );
    return lists.flat().sort((a, b) => b.at - a.at);
  }

  /** One delivery's attempts, oldest first. */
  async attempts(d) {
    if (!this.perWebhook) {
      try {
        return (await this.request("GET", `/deliveries/${encodeURIComponent(d.id)}/attempts`)).data
          .map((a) => attempt(a))
          .sort((a, b) => a.attempt - b.attempt);
      } catch (e) {
        if (e.status !== 404 && e.status !== 405) throw e;
      }
    }
    const logs = (await this.request("GET", `/webhooks/${encodeURIComponent(d.webhook_id)}/logs`)).data;
    return logs
      .map((a) => attempt(a, d.webhook_id))
      .filter((a) => a.delivery_id === d.id)
      .sort((a, b) => a.attempt - b.attempt);
  }

  /** Enables or disables: PUT {enabled} (this sender), else PATCH {disabled} (an earlier form). */
  async setEnabled(id, enabled) {
    const path = `/webhooks/${encodeURIComponent(id)}`;
    try {
      return await this.request("PUT", path, { enabled });
    } catch (e) {
      if (e.status !== 404 && e.status !== 405 && e.status !== 400) throw e;
      return this.request("PATCH", path, { disabled: !enabled });
    }
  }

  sendTest(id) {
    return this.request("POST", `/webhooks/${encodeURIComponent(id)}/test`);
  }

  retry(id) {
    return this.request("POST", `/deliveries/${encodeURIComponent(id)}/retry`);
  }

  sendEvent(type, data) {
    return this.request("POST", "/events", { type, data });
  }

  /** The server-sent events URL (EventSource cannot send headers: the token goes in the query). */
  streamUrl() {
    const q = this.token ? `?token=${encodeURIComponent(this.token)}` : "";
    return `${this.base ?? ""}/stream${q}`;
  }
}
