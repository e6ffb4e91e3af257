"use strict";
// hookproof-sender for JS tests: `startSender()` runs the native sender (in memory, on a
// free loopback port) and returns a client with a method per REST route (webhooks,
// deliveries, inboxes) and waits that the server answers (no polling). `connect(url)` is
// the same client for a sender that is already running. No dependencies: fetch,
// child_process and fs are Node's.
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { findBinary } = require("./binary.cjs");

/** The longest wait the server takes in one request; longer waits ask again. */
const MAX_SERVER_WAIT_MS = 60_000;
const asyncDispose = Symbol.asyncDispose ?? Symbol.for("nodejs.asyncDispose");

/** A failure of the sender's API (its `{error: {code, message, field}}`), or of the client. */
class SenderError extends Error {
  constructor(message, { code, status, field, method, path: route, delivery, cause } = {}) {
    super(message, cause ? { cause } : undefined);
    this.name = "SenderError";
    this.code = code;
    this.status = status;
    this.field = field ?? null;
    if (method) this.method = method;
    if (route) this.path = route;
    if (delivery) this.delivery = delivery;
  }
}

function enc(id) {
  return encodeURIComponent(String(id));
}

/** A query string from an object: camelCase names as the API's snake_case, nullish left out. */
function query(params = {}) {
  const names = { webhookId: "webhook_id", deliveryId: "delivery_id", eventType: "event_type", event: "event_type" };
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null) q.set(names[k] ?? k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** `wait` for the server: whole milliseconds, at most its maximum. */
function waitParam(ms) {
  return `${Math.max(0, Math.min(Math.ceil(ms), MAX_SERVER_WAIT_MS))}ms`;
}

const FINAL = { success: "success", succeeded: "success", failed: "failed" };

class Sender {
  /** @param {string} url @param {{token?: string, process?: import("node:child_process").ChildProcess, stderr?: () => string, onClose?: () => void}} [options] */
  constructor(url, { token, process: child, stderr, onClose } = {}) {
    this.url = url.replace(/\/+$/, "");
    this.process = child ?? null;
    this._token = token;
    this._stderr = stderr ?? (() => "");
    this._onClose = onClose;
    this._closed = null;
  }

  /** One API call: the answer's `data` (undefined for 204), or a SenderError. */
  async request(method, route, body) {
    const headers = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this._token) headers.authorization = `Bearer ${this._token}`;
    let res;
    try {
      res = await fetch(this.url + route, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (cause) {
      const exited = this.process && this.process.exitCode !== null;
      const why = exited ? `the sender exited (code ${this.process.exitCode})` : cause.message;
      const tail = this._stderr().trim();
      throw new SenderError(`${method} ${route}: ${why}${tail ? `\n${tail}` : ""}`, {
        code: "unreachable",
        method,
        path: route,
        cause,
      });
    }
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const e = json && json.error;
      throw new SenderError(`${method} ${route}: ${e ? e.message : `HTTP ${res.status} ${text.slice(0, 200)}`}`, {
        code: e ? e.code : `http_${res.status}`,
        status: res.status,
        field: e ? e.field : null,
        method,
        path: route,
      });
    }
    return json === undefined ? undefined : json.data !== undefined ? json.data : json;
  }

  // Health and the API's own description.
  health() {
    return this.request("GET", "/healthz");
  }
  openapi() {
    return this.request("GET", "/openapi.json");
  }

  // Webhooks.
  listWebhooks() {
    return this.request("GET", "/v1/webhooks");
  }
  createWebhook(webhook) {
    return this.request("POST", "/v1/webhooks", webhook);
  }
  getWebhook(id) {
    return this.request("GET", `/v1/webhooks/${enc(id)}`);
  }
  updateWebhook(id, changes) {
    return this.request("PUT", `/v1/webhooks/${enc(id)}`, changes);
  }
  deleteWebhook(id) {
    return this.request("DELETE", `/v1/webhooks/${enc(id)}`);
  }
  rotateSecret(id, options = {}) {
    return this.request("POST", `/v1/webhooks/${enc(id)}/rotate-secret`, options);
  }
  testWebhook(id, event = {}) {
    return this.request("POST", `/v1/webhooks/${enc(id)}/test`, event);
  }
  webhookDeliveries(id, filters) {
    return this.request("GET", `/v1/webhooks/${enc(id)}/deliveries${query(filters)}`);
  }
  webhookLogs(id, filters) {
    return this.request("GET", `/v1/webhooks/${enc(id)}/logs${query(filters)}`);
  }
  webhookStats(id) {
    return this.request("GET", `/v1/webhooks/${enc(id)}/stats`);
  }

  // Events, deliveries, attempts.
  sendEvent(event) {
    return this.request("POST", "/v1/events", event);
  }
  eventTypes({ profile } = {}) {
    return this.request("GET", `/v1/event-types${query({ profile })}`);
  }
  listDeliveries(filters) {
    return this.request("GET", `/v1/deliveries${query(filters)}`);
  }
  getDelivery(id, { waitMs } = {}) {
    const q = waitMs ? `?wait=${waitParam(waitMs)}` : "";
    return this.request("GET", `/v1/deliveries/${enc(id)}${q}`);
  }
  deliveryAttempts(id) {
    return this.request("GET", `/v1/deliveries/${enc(id)}/attempts`);
  }
  retryDelivery(id) {
    return this.request("POST", `/v1/deliveries/${enc(id)}/retry`);
  }
  logs(filters) {
    return this.request("GET", `/v1/logs${query(filters)}`);
  }

  /**
   * Waits (on the server) until the delivery is final, at most `timeoutMs`. With `status`,
   * a final status other than it is an error (code `unexpected_status`).
   */
  async waitForDelivery(id, { status, timeoutMs = 10_000 } = {}) {
    const want = status === undefined ? undefined : FINAL[status];
    if (status !== undefined && !want) {
      throw new SenderError(`waitForDelivery: status must be "success" or "failed", not ${JSON.stringify(status)}`, {
        code: "invalid_option",
        field: "status",
      });
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      const d = await this.getDelivery(id, { waitMs: Math.max(1, left) });
      if (d.status !== "pending") {
        if (want && d.status !== want) {
          throw new SenderError(
            `delivery ${id} ended ${d.status} after ${d.attempts} attempt(s), not ${want}` +
              (d.last_error ? `: ${d.last_error}` : d.last_status_code ? `: last answer ${d.last_status_code}` : ""),
            { code: "unexpected_status", delivery: d },
          );
        }
        return d;
      }
      if (Date.now() >= deadline) {
        throw new SenderError(
          `delivery ${id} still pending after ${timeoutMs} ms (${d.attempts} attempt(s)` +
            (d.last_status_code ? `, last answer ${d.last_status_code}` : "") +
            ")",
          { code: "timeout", delivery: d },
        );
      }
    }
  }

  /**
   * Waits (on the server) for the webhook's next delivery: the first one made after
   * delivery `after` (default: after the newest when called) that has `status` /
   * `eventType` (or its former name `event`) when given, at most `timeoutMs`.
   */
  async waitForNextDelivery(webhookId, { after, status, eventType, event, timeoutMs = 10_000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    let since = after;
    if (since === undefined) {
      // None yet: "" asks the server for any delivery, so that one made between this look
      // and the wait is not missed (without `after`, it would count as the newest).
      const [newest] = await this.webhookDeliveries(webhookId, { limit: 1 });
      since = newest ? newest.id : "";
    }
    const want = status === undefined ? undefined : (FINAL[status] ?? status);
    for (;;) {
      const wait = waitParam(Math.max(1, deadline - Date.now()));
      const found = await this.request(
        "GET",
        `/v1/webhooks/${enc(webhookId)}/deliveries${query({ wait, after: since, status: want, eventType: eventType ?? event })}`,
      );
      // Newest first: the next one is the last.
      if (found.length) return found[found.length - 1];
      if (Date.now() >= deadline) {
        throw new SenderError(`no new delivery to webhook ${webhookId} within ${timeoutMs} ms`, { code: "timeout" });
      }
      // `since` stays "" while the webhook has no delivery at all: the server counts every
      // delivery, so none made between two requests is missed.
    }
  }

  // Inboxes: webhooks coming in, captured at /in/{name}.
  /** The URL to point a webhook's sender at: what it sends there is captured by inbox `name`. */
  inboxUrl(name) {
    return `${this.url}/in/${enc(name)}`;
  }
  listInboxes() {
    return this.request("GET", "/v1/inboxes");
  }
  /** Creates or replaces the inbox's settings (its secrets stay when none is given and the scheme does). */
  putInbox(name, settings = {}) {
    return this.request("PUT", `/v1/inboxes/${enc(name)}`, settings);
  }
  getInbox(name) {
    return this.request("GET", `/v1/inboxes/${enc(name)}`);
  }
  deleteInbox(name) {
    return this.request("DELETE", `/v1/inboxes/${enc(name)}`);
  }
  inboxCaptures(name, { limit } = {}) {
    return this.request("GET", `/v1/inboxes/${enc(name)}/captures${query({ limit })}`);
  }
  getCapture(name, id) {
    return this.request("GET", `/v1/inboxes/${enc(name)}/captures/${enc(id)}`);
  }
  replayCapture(name, id, { url, resign } = {}) {
    return this.request("POST", `/v1/inboxes/${enc(name)}/captures/${enc(id)}/replay`, { url, resign });
  }

  /**
   * Waits (on the server) for the inbox's next capture: the first one after capture
   * `after` (default: after the newest when called; any, when the inbox has none), at most
   * `timeoutMs`.
   */
  async waitForCapture(name, { after, timeoutMs = 10_000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    let since = after;
    if (since === undefined) {
      const [newest] = await this.inboxCaptures(name, { limit: 1 });
      // `after=` empty: the server counts every capture, so none made before its request is missed.
      since = newest ? newest.id : "";
    }
    for (;;) {
      const wait = waitParam(Math.max(1, deadline - Date.now()));
      const found = await this.request("GET", `/v1/inboxes/${enc(name)}/captures${query({ wait, after: since })}`);
      // Newest first: the next one is the last.
      if (found.length) return found[found.length - 1];
      if (Date.now() >= deadline) {
        throw new SenderError(`no new capture in inbox ${name} within ${timeoutMs} ms`, { code: "timeout" });
      }
    }
  }

  /** Stops the sender this client started (SIGTERM, then SIGKILL after 5 s); idempotent. */
  close() {
    if (this._closed) return this._closed;
    const child = this.process;
    this._closed = new Promise((resolve) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
      child.once("exit", () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill("SIGTERM");
    }).finally(() => this._onClose && this._onClose());
    return this._closed;
  }

  [asyncDispose]() {
    return this.close();
  }
}

/** A client for a sender that is already running (`hookproof-sender serve`). */
function connect(url, { token } = {}) {
  return new Sender(url, { token });
}

function durationArg(name, value) {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be a number of ms >= 0`);
    return `${Math.round(value)}ms`;
  }
  return String(value);
}

/**
 * Starts `hookproof-sender serve` on a free loopback port and resolves when it listens.
 * @param {import("./index").StartOptions} [options]
 */
async function startSender(options = {}) {
  const {
    timeScale,
    token,
    db,
    chaosSeed,
    attemptTimeout,
    providerTimeouts,
    config,
    maxInFlight,
    allowHttp,
    caCert,
    host = "127.0.0.1",
    port = 0,
    binary,
    args = [],
    env = {},
    log = false,
    startTimeoutMs = 15_000,
  } = options;
  const argv = ["serve", "--addr", `${host.includes(":") ? `[${host}]` : host}:${port}`];
  if (db) argv.push("--db", String(db));
  else argv.push("--memory");
  if (timeScale !== undefined) argv.push("--time-scale", String(timeScale));
  if (attemptTimeout !== undefined) argv.push("--attempt-timeout", durationArg("attemptTimeout", attemptTimeout));
  if (providerTimeouts) argv.push("--provider-timeouts");
  if (chaosSeed !== undefined) argv.push("--chaos-seed", String(chaosSeed));
  if (maxInFlight !== undefined) argv.push("--max-in-flight", String(maxInFlight));
  if (allowHttp) argv.push("--allow-http");
  if (caCert) argv.push("--ca-cert", String(caCert));
  let configFile = null;
  if (config !== undefined) {
    if (typeof config === "string") {
      argv.push("--config", config);
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hookproof-sender-"));
      configFile = path.join(dir, "config.json");
      fs.writeFileSync(configFile, JSON.stringify(config));
      argv.push("--config", configFile);
    }
  }
  argv.push(...args);
  const removeConfig = () => {
    if (configFile) fs.rmSync(path.dirname(configFile), { recursive: true, force: true });
    configFile = null;
  };

  const bin = findBinary(binary);
  // The token through the environment, not argv (which `ps` shows).
  const childEnv = { ...process.env, RUST_LOG: log ? "info" : "warn", ...env };
  if (token) childEnv.HOOKPROOF_SENDER_TOKEN = token;
  else delete childEnv.HOOKPROOF_SENDER_TOKEN;
  const child = spawn(bin, argv, { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk) => {
    if (log) process.stderr.write(chunk);
    stderr = (stderr + chunk).slice(-8192);
  });
  // A sender left running when this process exits (no close()) is stopped with it.
  const onExit = () => child.kill("SIGTERM");
  process.once("exit", onExit);
  const cleanup = () => {
    process.removeListener("exit", onExit);
    removeConfig();
  };

  let url;
  try {
    url = await new Promise((resolve, reject) => {
      let out = "";
      const fail = (why) => {
        clearTimeout(timer);
        const tail = stderr.trim();
        reject(
          new SenderError(`hookproof-sender (${bin}) ${why}${tail ? `:\n${tail}` : ""}`, { code: "start_failed" }),
        );
      };
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        fail(`did not start listening within ${startTimeoutMs} ms`);
      }, startTimeoutMs);
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (chunk) => {
        out += chunk;
        const line = out.split("\n").find((l) => l.startsWith("listening on "));
        if (line && out.includes("\n")) {
          clearTimeout(timer);
          resolve(line.slice("listening on ".length).trim());
        }
      });
      child.once("error", (e) => fail(`could not be run: ${e.message}`));
      child.once("exit", (code, signal) => fail(`exited before listening (${signal ?? `code ${code}`})`));
    });
  } catch (e) {
    cleanup();
    throw e;
  }
  // The sender does not keep this process alive: a test that forgets close() still ends
  // (and stops the sender on its way out).
  child.unref();
  child.stdout.unref?.();
  child.stderr.unref?.();
  return new Sender(url, { token, process: child, stderr: () => stderr, onClose: cleanup });
}

module.exports = { startSender, connect, Sender, SenderError, findBinary, MAX_SERVER_WAIT_MS };
