//! The OpenAPI document served at `/openapi.json`, written by hand.

use serde_json::{json, Value};

fn list_of(schema: &str) -> Value {
    json!({
        "type": "object",
        "properties": { "data": { "type": "array", "items": { "$ref": format!("#/components/schemas/{schema}") } } }
    })
}

fn ok(status: &str, description: &str, schema: Value) -> Value {
    json!({
        status: { "description": description, "content": { "application/json": { "schema": schema } } },
        "4XX": { "$ref": "#/components/responses/Error" }
    })
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn body(name: &str, required: bool) -> Value {
    json!({ "required": required, "content": { "application/json": { "schema": schema_ref(name) } } })
}

fn id_param(name: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } })
}

fn query_params(names: &[&str]) -> Value {
    Value::Array(
        names
            .iter()
            .map(|n| {
                let schema = match *n {
                    "limit" => json!({ "type": "integer", "minimum": 1, "maximum": 1000 }),
                    "status" => {
                        json!({ "type": "string", "enum": ["pending", "succeeded", "failed"] })
                    }
                    _ => json!({ "type": "string" }),
                };
                json!({ "name": n, "in": "query", "required": false, "schema": schema })
            })
            .collect(),
    )
}

pub fn document() -> Value {
    let types: Vec<&str> = hookproof::Scheme::ALL.iter().map(|s| s.name()).collect();
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "hookproof-sender",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "A local webhook provider: signed deliveries (every hookproof scheme), retries on a schedule scaled by --time-scale, attempt logs. With --token, every route but /health and /openapi.json needs `Authorization: Bearer <token>`. Times are Unix milliseconds."
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
                        "field": { "type": "string", "nullable": true }
                    } } }
                },
                "Webhook": {
                    "type": "object",
                    "properties": {
                        "id": { "type": "string", "example": "wh_01HZX..." },
                        "url": { "type": "string" },
                        "type": { "type": "string", "enum": types },
                        "secret": { "type": "string", "example": "whsec_..." },
                        "previous_secrets": { "type": "array", "items": { "type": "object", "properties": {
                            "secret": { "type": "string" }, "expires_at": { "type": "integer" } } } },
                        "events": { "type": "array", "items": { "type": "string" }, "description": "empty or [\"*\"]: every event" },
                        "description": { "type": "string", "nullable": true },
                        "disabled": { "type": "boolean" },
                        "created_at": { "type": "integer" },
                        "updated_at": { "type": "integer" }
                    }
                },
                "CreateWebhook": {
                    "type": "object",
                    "required": ["url"],
                    "additionalProperties": false,
                    "properties": {
                        "id": { "type": "string", "pattern": "^[A-Za-z0-9_-]{1,128}$" },
                        "url": { "type": "string" },
                        "type": { "type": "string", "enum": types, "default": "standard" },
                        "secret": { "type": "string", "description": "generated (whsec_ + base64 of 24 bytes) when omitted" },
                        "events": { "type": "array", "items": { "type": "string" } },
                        "description": { "type": "string" },
                        "disabled": { "type": "boolean" }
                    }
                },
                "UpdateWebhook": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "url": { "type": "string" },
                        "type": { "type": "string", "enum": types },
                        "events": { "type": "array", "items": { "type": "string" } },
                        "description": { "type": "string" },
                        "disabled": { "type": "boolean" }
                    }
                },
                "RotateSecret": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "secret": { "type": "string" },
                        "grace_period_secs": { "type": "integer", "default": 86400, "description": "the old secret keeps signing (a second signature) this long" }
                    }
                },
                "TestEvent": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": { "type": { "type": "string", "default": "webhook.test" }, "data": {} }
                },
                "SendEvent": {
                    "type": "object",
                    "required": ["type"],
                    "additionalProperties": false,
                    "properties": {
                        "type": { "type": "string" },
                        "data": {},
                        "id": { "type": "string" },
                        "webhook_ids": { "type": "array", "items": { "type": "string" } }
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
                        "id": { "type": "string", "description": "msg_...: the delivery id every attempt signs" },
                        "webhook_id": { "type": "string" },
                        "event_id": { "type": "string" },
                        "event_type": { "type": "string" },
                        "body": { "type": "string", "description": "the exact bytes sent" },
                        "status": { "type": "string", "enum": ["pending", "succeeded", "failed"] },
                        "attempts": { "type": "integer" },
                        "max_attempts": { "type": "integer" },
                        "next_attempt_at": { "type": "integer", "nullable": true },
                        "last_status_code": { "type": "integer", "nullable": true },
                        "last_error": { "type": "string", "nullable": true },
                        "created_at": { "type": "integer" },
                        "updated_at": { "type": "integer" }
                    }
                },
                "Attempt": {
                    "type": "object",
                    "properties": {
                        "id": { "type": "string" },
                        "delivery_id": { "type": "string" },
                        "webhook_id": { "type": "string" },
                        "attempt": { "type": "integer", "description": "1-based" },
                        "url": { "type": "string" },
                        "started_at": { "type": "integer" },
                        "duration_ms": { "type": "integer" },
                        "outcome": { "type": "string", "enum": ["success", "http_error", "timeout", "connection_error", "error"] },
                        "status_code": { "type": "integer", "nullable": true },
                        "error": { "type": "string", "nullable": true },
                        "response_body": { "type": "string", "nullable": true },
                        "request_headers": { "type": "array", "items": { "type": "array", "items": { "type": "string" }, "minItems": 2, "maxItems": 2 } },
                        "next_attempt_at": { "type": "integer", "nullable": true }
                    }
                }
            }
        },
        "security": [{ "bearer": [] }],
        "paths": {
            "/health": { "get": { "security": [], "summary": "Liveness", "responses": ok("200", "{\"ok\":true}", json!({ "type": "object" })) } },
            "/openapi.json": { "get": { "security": [], "summary": "This document", "responses": ok("200", "OpenAPI 3", json!({ "type": "object" })) } },
            "/webhooks": {
                "post": { "summary": "Create a webhook endpoint", "requestBody": body("CreateWebhook", true), "responses": ok("201", "Created", schema_ref("Webhook")) },
                "get": { "summary": "List webhooks, oldest first", "responses": ok("200", "Webhooks", list_of("Webhook")) }
            },
            "/webhooks/{id}": {
                "parameters": [id_param("id")],
                "get": { "summary": "One webhook", "responses": ok("200", "Webhook", schema_ref("Webhook")) },
                "patch": { "summary": "Change fields of a webhook", "requestBody": body("UpdateWebhook", true), "responses": ok("200", "Webhook", schema_ref("Webhook")) },
                "delete": { "summary": "Delete a webhook (its pending deliveries then fail)", "responses": { "204": { "description": "Deleted" }, "4XX": { "$ref": "#/components/responses/Error" } } }
            },
            "/webhooks/{id}/rotate-secret": {
                "parameters": [id_param("id")],
                "post": { "summary": "Replace the secret; the old one keeps signing for the grace period", "requestBody": body("RotateSecret", false), "responses": ok("200", "Webhook", schema_ref("Webhook")) }
            },
            "/webhooks/{id}/test": {
                "parameters": [id_param("id")],
                "post": { "summary": "Send a test event to this webhook, whatever its event filter", "requestBody": body("TestEvent", false), "responses": ok("202", "Delivery queued", schema_ref("Delivery")) }
            },
            "/events": {
                "post": { "summary": "Send an event to every enabled webhook that wants its type", "requestBody": body("SendEvent", true), "responses": ok("202", "Deliveries queued", schema_ref("EventAccepted")) }
            },
            "/deliveries": {
                "get": { "summary": "Deliveries, newest first", "parameters": query_params(&["webhook_id", "status", "event_type", "limit"]), "responses": ok("200", "Deliveries", list_of("Delivery")) }
            },
            "/deliveries/{id}": {
                "parameters": [id_param("id")],
                "get": { "summary": "One delivery", "responses": ok("200", "Delivery", schema_ref("Delivery")) }
            },
            "/deliveries/{id}/attempts": {
                "parameters": [id_param("id")],
                "get": { "summary": "A delivery's attempts, oldest first", "responses": ok("200", "Attempts", list_of("Attempt")) }
            },
            "/deliveries/{id}/retry": {
                "parameters": [id_param("id")],
                "post": { "summary": "Attempt now: cuts a pending wait short, or adds one attempt to a finished delivery", "responses": ok("202", "Delivery", schema_ref("Delivery")) }
            },
            "/logs": {
                "get": { "summary": "Every attempt, newest first", "parameters": query_params(&["webhook_id", "delivery_id", "limit"]), "responses": ok("200", "Attempts", list_of("Attempt")) }
            }
        }
    })
}
