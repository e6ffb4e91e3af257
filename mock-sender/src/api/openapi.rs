//! The OpenAPI document served at `/openapi.json`, written by hand.

use serde_json::{json, Value};

pub(super) fn data(schema: Value) -> Value {
    json!({ "type": "object", "required": ["data"], "properties": { "data": schema } })
}

pub(super) fn list_of(schema: &str) -> Value {
    data(json!({ "type": "array", "items": schema_ref(schema) }))
}

pub(super) fn ok(status: &str, description: &str, schema: Value) -> Value {
    json!({
        status: { "description": description, "content": { "application/json": { "schema": schema } } },
        "4XX": { "$ref": "#/components/responses/Error" }
    })
}

pub(super) fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

pub(super) fn body(name: &str, required: bool) -> Value {
    json!({ "required": required, "content": { "application/json": { "schema": schema_ref(name) } } })
}

pub(super) fn id_param(name: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } })
}

fn query_params(names: &[&str]) -> Value {
    Value::Array(
        names
            .iter()
            .map(|n| {
                let schema = match *n {
                    "limit" => {
                        json!({ "type": "integer", "minimum": 1, "maximum": 1000, "default": 1000 })
                    }
                    "status" => {
                        json!({ "type": "string", "enum": ["pending", "success", "failed"] })
                    }
                    "log_status" => json!({ "type": "string", "enum": ["success", "failed"] }),
                    "event_type" => {
                        json!({ "type": "string", "description": "an exact event type; also read as `event`" })
                    }
                    _ => json!({ "type": "string" }),
                };
                let name = if *n == "log_status" { "status" } else { n };
                json!({ "name": name, "in": "query", "required": false, "schema": schema })
            })
            .collect(),
    )
}

/// `wait` (and, for a listing, `after`) beside the listing's `names`.
fn wait_params(names: &[&str], wait: &str) -> Value {
    let mut params = query_params(names);
    let max = super::wait::MAX_WAIT.as_secs();
    if let Value::Array(list) = &mut params {
        list.push(json!({
            "name": "wait", "in": "query", "required": false,
            "schema": { "type": "string", "example": "30s" },
            "description": format!("{wait}: a duration (500ms, 30s, or seconds), at most {max}s (longer is cut to {max}s); answered at once without it. Ends early when the sender stops")
        }));
        if !names.is_empty() {
            list.push(json!({
                "name": "after", "in": "query", "required": false,
                "schema": { "type": "string" },
                "description": "a delivery id of this webhook: only deliveries made after it are listed (empty: any delivery; left out, with wait: after the newest when the request came)"
            }));
        }
    }
    params
}

pub(super) fn time() -> Value {
    json!({ "type": "string", "format": "date-time", "example": "2025-01-02T03:04:05.678Z" })
}

fn nullable_time() -> Value {
    json!({ "type": "string", "format": "date-time", "nullable": true })
}

pub fn document() -> Value {
    let profiles = crate::profile::Profile::names();
    let segments = json!({ "type": "array", "maxItems": 100, "uniqueItems": true, "items": { "type": "string", "minLength": 1, "maxLength": 128, "example": "segment_12345" },
        "description": "Vector.co segment ids: an event whose data names a segment (segment.id, as Vector.co's contact and company events do) goes to this webhook only when it is listed; empty: every segment" });
    let wait = json!({ "oneOf": [
        { "type": "number", "minimum": 0, "description": "seconds" },
        { "type": "string", "example": "2.5m", "description": "a duration: 500ms, 42s, 2.5m, 2h, 1d" }
    ] });
    let overrides = json!({ "type": "object", "additionalProperties": {},
        "example": { "data.object.amount_paid": 5000 },
        "description": "edits of the catalog's example of the event: path (dotted keys and [n] indexes, relative to the body the webhook's profile sends: data.object.amount_paid for stripe, data.amount_paid in the standard envelope; the payload of GET /v1/event-types) to any JSON value; the example keeps its key order. Every matching webhook's example is checked before anything is sent: a path one lacks is 400 invalid_field `overrides.<path>` naming the profile, and no delivery is made. 400 with data (sent byte for byte) and for an event the catalog lacks for a matching webhook's profile. With no matching webhook, the paths must fit the event as at least one profile sends it" });
    let events = json!({ "type": "array", "minItems": 1, "items": { "type": "string" },
        "description": "event types: an exact name, `prefix.*` (every type below `prefix.`) or `*`" });
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": "hookproof-sender",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "A local webhook provider: deliveries signed by hookproof in the envelope of a profile (vector, standard, svix, stripe, github, vercel, shopify, slack, generic; vectorco, Vector.co's events signed with the generic scheme since Vector.co documents no signature), retried on the profile's schedule (scaled by --time-scale), every attempt logged. Every answer with a body is {\"data\": ...}; every failure a 4xx {\"error\": {\"code\", \"message\", \"field\"}} that changed nothing. With --token, /v1 needs `Authorization: Bearer <token>` (/v1/stream also takes ?token=). Times are RFC 3339 UTC. Webhook secrets are shown only by create and rotate-secret; inbox secrets never. /in/{name} is open to any host, without the token: providers call it."
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "responses": {
                "Error": { "description": "Any failure", "content": { "application/json": { "schema": schema_ref("Error") } } }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": { "error": { "type": "object", "required": ["code", "message", "field"], "properties": {
                        "code": { "type": "string", "example": "invalid_field" },
                        "message": { "type": "string" },
                        "field": { "type": "string", "nullable": true, "example": "events[0]" }
                    } } }
                },
                "Webhook": {
                    "type": "object",
                    "description": "No secret: it is shown once, by create and rotate-secret.",
                    "properties": {
                        "id": { "type": "string", "example": "wh_01HZX..." },
                        "kind": { "type": "string", "enum": ["http", "slack"] },
                        "url": { "type": "string", "description": "credentials masked (userinfo user:••••@, query tokens token=••••)" },
                        "events": events,
                        "segments": segments,
                        "enabled": { "type": "boolean" },
                        "profile": { "type": "string", "enum": profiles },
                        "retry_schedule": { "type": "array", "items": { "type": "number" }, "description": "seconds before attempts 1, 2, ... (unscaled): the webhook's own or its profile's" },
                        "description": { "type": "string", "nullable": true },
                        "chaos": { "allOf": [schema_ref("Chaos")], "nullable": true, "description": "null when off" },
                        "public_key": { "type": "string", "nullable": true, "description": "the whpk_ Ed25519 public key of a whsk_ secret, which the receiver verifies v1a signatures with; null for other secrets" },
                        "throttled_until": { "type": "string", "format": "date-time", "nullable": true, "description": "while the receiver's 429, 502, 503 or 504 pauses the endpoint (its Retry-After, at most 1 h, else 5 s; scaled by --time-scale; kept in memory only): no new attempt starts before then; null when not throttled" },
                        "created_at": time(),
                        "updated_at": time()
                    }
                },
                "WebhookWithSecret": {
                    "allOf": [schema_ref("Webhook"), { "type": "object", "required": ["secret"], "properties": { "secret": { "type": "string", "example": "whsec_..." } } }]
                },
                "CreateWebhook": {
                    "type": "object",
                    "required": ["url", "events"],
                    "additionalProperties": false,
                    "properties": {
                        "kind": { "type": "string", "enum": ["http", "slack"], "default": "http", "description": "slack: the event as a Block Kit message (text + blocks) for a Slack incoming webhook; also read as `type`" },
                        "url": { "type": "string", "description": "http:// only to loopback unless --allow-http; userinfo (https://user:p%40ss@host/) is sent as Authorization: Basic base64(user:password), percent-decoded, never in the request line or Host" },
                        "events": events,
                        "segments": segments,
                        "enabled": { "type": "boolean", "default": true },
                        "profile": { "type": "string", "enum": profiles, "default": "vector", "description": "the provider imitated: body, headers, retry schedule and signature; vectorco signs with the generic scheme (X-Webhook-Signature)" },
                        "secret": { "type": "string", "description": "generated (whsec_ + base64 of 24 bytes, or with signing ed25519 a whsk_ key) when omitted; a whsk_ Ed25519 secret key (standard, svix) signs Standard Webhooks' v1a" },
                        "signing": { "type": "string", "enum": ["hmac", "ed25519"], "default": "hmac", "description": "what a generated secret is (not with secret): ed25519, for standard and svix, generates a whsk_ key; the webhook then shows its whpk_ public_key" },
                        "retry_schedule": { "type": "array", "minItems": 1, "maxItems": 50, "items": wait, "description": "waits before attempts 1, 2, ...; default the profile's" },
                        "description": { "type": "string" },
                        "id": { "type": "string", "pattern": "^[A-Za-z0-9_-]{1,128}$", "description": "a fixed id; wh_<ULID> otherwise" },
                        "chaos": schema_ref("Chaos")
                    }
                },
                "Chaos": {
                    "type": "object",
                    "additionalProperties": false,
                    "description": "Chaos for receivers. After each attempt, with its probability: the same signed request again (duplicate), a copy signed with a wrong key (forge_signature), a correctly signed copy 10 min old (stale_timestamp; timestamped profiles only). These extra requests are logged as attempts (same attempt number) with chaos, expect and receiver_accepted_bad, and never count for the delivery. delay_ms holds every attempt back (in order); reorder draws each delay independently so deliveries overtake each other.",
                    "properties": {
                        "duplicate": { "type": "number", "minimum": 0, "maximum": 1, "default": 0 },
                        "reorder": { "type": "boolean", "default": false, "description": "deliveries may be sent out of order: each attempt waits its own random delay within delay_ms (default [0, 1000])" },
                        "delay_ms": { "type": "array", "items": { "type": "integer", "minimum": 0, "maximum": 60000 }, "minItems": 2, "maxItems": 2, "nullable": true, "description": "[min, max] ms each attempt waits before it goes out (real time, not scaled by --time-scale); without reorder, deliveries keep their order" },
                        "forge_signature": { "type": "number", "minimum": 0, "maximum": 1, "default": 0 },
                        "stale_timestamp": { "type": "number", "minimum": 0, "maximum": 1, "default": 0, "description": "not for github, vercel, shopify, generic (no timestamp)" },
                        "seed": { "type": "integer", "minimum": 0, "nullable": true, "description": "seeds this webhook's draws; else --chaos-seed with the webhook id; else random" }
                    }
                },
                "UpdateWebhook": {
                    "type": "object",
                    "additionalProperties": false,
                    "description": "A partial update: what is left out stays.",
                    "properties": {
                        "enabled": { "type": "boolean" },
                        "url": { "type": "string", "description": "the URL as shown (credentials masked) keeps the URL" },
                        "events": events,
                        "segments": { "allOf": [segments], "nullable": true, "description": "replaces the segments; null or []: every segment" },
                        "retry_schedule": { "type": "array", "minItems": 1, "maxItems": 50, "items": wait, "nullable": true, "description": "replaces the waits before attempts 1, 2, ...; null goes back to the profile's" },
                        "description": { "type": "string" },
                        "chaos": { "allOf": [schema_ref("Chaos")], "nullable": true, "description": "replaces the chaos settings; null turns chaos off" }
                    }
                },
                "RotateSecret": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "secret": { "type": "string" },
                        "signing": { "type": "string", "enum": ["hmac", "ed25519"], "description": "what a generated secret is (not with secret); default the current secret's kind" },
                        "grace_period_secs": { "type": "integer", "default": 86400, "description": "the old secret keeps signing (a second signature) this long; profiles with one signature per header (github, vercel, slack, shopify, generic) sign with the new secret alone at once" }
                    }
                },
                "TestEvent": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": { "type": { "type": "string", "description": "default: a catalog event of the webhook's profile, sent as its example (stripe: invoice.paid, vector: vector.site.created, vectorco: contact.visited, generic, standard, svix: user.created, ...: GET /v1/event-types); github profile: ping (GitHub's test event, with {zen, hook_id, hook}); slack profile: url_verification (succeeds only if the answer carries the challenge)" }, "data": { "description": "sent as given; none: the catalog's example of the event for the profile (another event: {test: true, webhook_id})" }, "overrides": overrides }
                },
                "SendEvent": {
                    "type": "object",
                    "required": ["type"],
                    "additionalProperties": false,
                    "properties": {
                        "type": { "type": "string" },
                        "data": { "description": "sent as given (number text, key order kept), inside the profile's envelope where it has one; none: the catalog's example of the event for each webhook's profile (GET /v1/event-types)" },
                        "overrides": overrides,
                        "id": { "type": "string", "description": "evt_<ULID> otherwise" },
                        "webhook_ids": { "type": "array", "items": { "type": "string" }, "description": "only these webhooks (still subject to their events)" }
                    }
                },
                "DeliveryCounts": {
                    "type": "object",
                    "description": "The webhook's stored deliveries by status (those --retention or --memory-limit dropped are not counted)",
                    "properties": {
                        "pending": { "type": "integer" },
                        "success": { "type": "integer" },
                        "failed": { "type": "integer" }
                    }
                },
                "EventAccepted": {
                    "type": "object",
                    "properties": {
                        "id": { "type": "string" },
                        "type": { "type": "string" },
                        "deliveries": { "type": "array", "items": schema_ref("Delivery") }
                    }
                },
                "Delivery": {
                    "type": "object",
                    "properties": {
                        "id": { "type": "string", "description": "the delivery id every attempt sends in the profiles that have a header for it, in the provider's form: a ULID (X-Vector-Delivery; and the profiles without one: stripe, vercel, slack, generic), msg_<ULID> (webhook-id, svix-id), a UUID (X-GitHub-Delivery, X-Shopify-Webhook-Id)" },
                        "webhook_id": { "type": "string" },
                        "event_id": { "type": "string" },
                        "event_type": { "type": "string" },
                        "status": { "type": "string", "enum": ["pending", "success", "failed"] },
                        "attempts": { "type": "integer" },
                        "max_attempts": { "type": "integer" },
                        "last_status_code": { "type": "integer", "nullable": true },
                        "last_error": { "type": "string", "nullable": true },
                        "next_attempt_at": nullable_time(),
                        "created_at": time(),
                        "updated_at": time(),
                        "body": { "type": "string", "description": "the exact bytes sent; only from GET /v1/deliveries/{id}" }
                    }
                },
                "Log": {
                    "type": "object",
                    "properties": {
                        "id": { "type": "string" },
                        "delivery_id": { "type": "string" },
                        "webhook_id": { "type": "string" },
                        "event_type": { "type": "string" },
                        "attempt": { "type": "integer", "description": "1-based" },
                        "status_code": { "type": "integer", "nullable": true },
                        "response_time_ms": { "type": "integer" },
                        "delivered_at": time(),
                        "error": { "type": "string", "nullable": true, "description": "why it failed: HTTP status, timeout, refused, reset, DNS, TLS" },
                        "response_body": { "type": "string", "nullable": true, "description": "the first 4 KiB of the answer" },
                        "outcome": { "type": "string", "enum": ["success", "http_error", "timeout", "connection_error", "error", "rejected", "accepted_forgery", "accepted_stale"], "description": "rejected, accepted_forgery and accepted_stale are for chaos requests that must be rejected" },
                        "url": { "type": "string", "description": "credentials masked (userinfo user:••••@, query tokens token=••••)" },
                        "request_headers": { "type": "array", "items": { "type": "array", "items": { "type": "string" }, "minItems": 2, "maxItems": 2 }, "description": "every header the sender set, in order ([name, value]; signatures included, secrets never); the HTTP client adds host, content-length and hookproof-sender-hop" },
                        "response_headers": { "type": "array", "items": { "type": "array", "items": { "type": "string" }, "minItems": 2, "maxItems": 2 }, "description": "the answer's headers in order, names lower-case, repeats kept: the first 64 that fit in 8 KiB ([] when there was no answer)" },
                        "next_attempt_at": nullable_time(),
                        "chaos": { "type": "string", "enum": ["duplicate", "forged", "stale"], "nullable": true, "description": "an extra request of the webhook's chaos; null for a real attempt" },
                        "expect": { "type": "string", "enum": ["accept", "reject"], "nullable": true, "description": "what a correct receiver answers this chaos request: accept (2xx) or reject (non-2xx)" },
                        "receiver_accepted_bad": { "type": "boolean", "nullable": true, "description": "true: a forged or stale request was answered 2xx (the receiver is at fault)" }
                    }
                },
                "StreamAttempt": {
                    "allOf": [schema_ref("Log"), { "type": "object", "properties": { "status": { "type": "string", "enum": ["pending", "success", "failed"], "description": "the delivery's status after this attempt" } } }]
                }
            }
        },
        "security": [{ "bearer": [] }],
        "paths": {
            "/healthz": { "get": { "security": [], "summary": "Liveness", "responses": ok("200", "{\"data\":{\"ok\":true,\"version\":\"..\"}}", data(json!({ "type": "object" }))) } },
            "/openapi.json": { "get": { "security": [], "summary": "This document", "responses": ok("200", "OpenAPI 3", json!({ "type": "object" })) } },
            "/v1/webhooks": {
                "post": { "summary": "Create a webhook; the answer is the only one with its secret", "requestBody": body("CreateWebhook", true), "responses": ok("201", "Created", data(schema_ref("WebhookWithSecret"))) },
                "get": { "summary": "Webhooks, oldest first", "responses": ok("200", "Webhooks", list_of("Webhook")) }
            },
            "/v1/webhooks/{id}": {
                "parameters": [id_param("id")],
                "get": { "summary": "One webhook", "responses": ok("200", "Webhook", data(schema_ref("Webhook"))) },
                "put": { "summary": "Partial update: enabled, url, events, segments, retry_schedule, description, chaos (a disabled webhook gets no new deliveries, and its pending ones fail at their next attempt)", "requestBody": body("UpdateWebhook", true), "responses": ok("200", "Webhook", data(schema_ref("Webhook"))) },
                "delete": { "summary": "Delete a webhook (its pending deliveries then fail)", "responses": { "204": { "description": "Deleted" }, "4XX": { "$ref": "#/components/responses/Error" } } }
            },
            "/v1/webhooks/{id}/rotate-secret": {
                "parameters": [id_param("id")],
                "post": { "summary": "Replace the secret (returned once); the old one keeps signing alongside for the grace period", "requestBody": body("RotateSecret", false), "responses": ok("200", "Webhook", data(schema_ref("WebhookWithSecret"))) }
            },
            "/v1/webhooks/{id}/test": {
                "parameters": [id_param("id")],
                "post": { "summary": "Send a test event to this webhook, whatever its events (409 webhook_disabled if it is disabled)", "requestBody": body("TestEvent", false), "responses": ok("202", "Delivery made", data(schema_ref("Delivery"))) }
            },
            "/v1/webhooks/{id}/deliveries": {
                "parameters": [id_param("id")],
                "get": {
                    "summary": "The webhook's deliveries, newest first. With wait (or after): only those made after delivery `after` (default: the newest when the request came), answered as soon as there is one that passes status and event, or an empty list when the wait ends (a long poll for the webhook's next delivery)",
                    "parameters": wait_params(&["status", "event_type", "limit"], "how long to wait for a matching delivery made after `after`"),
                    "responses": ok("200", "Deliveries", list_of("Delivery"))
                }
            },
            "/v1/webhooks/{id}/logs": {
                "parameters": [id_param("id")],
                "get": { "summary": "Every attempt to the webhook, newest first", "parameters": query_params(&["log_status", "delivery_id", "limit"]), "responses": ok("200", "Attempts", list_of("Log")) }
            },
            "/v1/webhooks/{id}/stats": {
                "parameters": [id_param("id")],
                "get": { "summary": "How many of the webhook's deliveries are pending, succeeded and failed", "responses": ok("200", "Counts", data(schema_ref("DeliveryCounts"))) }
            },
            "/v1/events": {
                "post": { "summary": "Send an event: one delivery per enabled webhook whose events match", "requestBody": body("SendEvent", true), "responses": ok("202", "Deliveries made", data(schema_ref("EventAccepted"))) }
            },
            "/v1/event-types": {
                "get": { "summary": "The event catalog: each profile's events, with an example payload as the provider sends it, its JSON Schema, a description and the headers the provider adds besides the signature", "parameters": query_params(&["profile"]), "responses": ok("200", "Events", json!({ "type": "object", "properties": { "data": { "type": "array", "items": { "type": "object", "properties": { "profile": { "type": "string" }, "event_type": { "type": "string" }, "description": { "type": "string" }, "headers": { "type": "object", "additionalProperties": { "type": "string" } }, "schema": { "type": "object", "description": "JSON Schema (draft-07) of payload" }, "payload": {}, "data": { "description": "the part of payload that POST /v1/events's data gives (data.object for stripe, the whole body for github, ...)" } } } } } })) }
            },
            "/v1/deliveries": {
                "get": { "summary": "Every delivery, newest first", "parameters": query_params(&["webhook_id", "status", "event_type", "limit"]), "responses": ok("200", "Deliveries", list_of("Delivery")) }
            },
            "/v1/deliveries/{id}": {
                "parameters": [id_param("id")],
                "get": {
                    "summary": "One delivery, with the body it sends. With wait: answered as soon as the delivery is final (success or failed), or when the wait ends, with the delivery as it is then (a long poll)",
                    "parameters": wait_params(&[], "how long to wait for the delivery to be final"),
                    "responses": ok("200", "Delivery", data(schema_ref("Delivery")))
                }
            },
            "/v1/deliveries/{id}/attempts": {
                "parameters": [id_param("id")],
                "get": { "summary": "A delivery's attempts, oldest first", "responses": ok("200", "Attempts", list_of("Log")) }
            },
            "/v1/deliveries/{id}/retry": {
                "parameters": [id_param("id")],
                "post": { "summary": "Attempt now: cuts a pending wait short, or adds one attempt to a finished delivery (409 webhook_disabled while its webhook is disabled)", "responses": ok("202", "Delivery", data(schema_ref("Delivery"))) }
            },
            "/v1/logs": {
                "get": { "summary": "Every attempt, newest first", "parameters": query_params(&["webhook_id", "delivery_id", "log_status", "limit"]), "responses": ok("200", "Attempts", list_of("Log")) }
            },
            "/v1/stream": {
                "get": {
                    "summary": "Server-sent events: `delivery` (data: Delivery) when a delivery is made, `attempt` (data: StreamAttempt) after every attempt, `capture` (data: Capture) when an inbox captures a request or a capture changes, `webhook` when a webhook is created, changed (a rotation, a 410 disabling it) or deleted (data: {action: created|updated, webhook: Webhook} or {action: deleted, id}), `lagged` when this client missed some; a keep-alive comment every 15 s",
                    "parameters": [{ "name": "token", "in": "query", "required": false, "schema": { "type": "string" }, "description": "the --token, for EventSource (which sends no headers)" }],
                    "responses": { "200": { "description": "text/event-stream", "content": { "text/event-stream": { "schema": { "type": "string" } } } }, "4XX": { "$ref": "#/components/responses/Error" } }
                }
            },
            "/": { "get": { "security": [], "summary": "The dashboard (www/dashboard.html)", "responses": { "200": { "description": "text/html" } } } },
            "/playground": { "get": { "security": [], "summary": "The playground (www/index.html); /www/* serves www/, /pkg/src/* and /pkg/gen/* the npm package's browser build", "responses": { "200": { "description": "text/html" } } } }
        }
    });
    super::inbox::document(&mut doc);
    doc
}
