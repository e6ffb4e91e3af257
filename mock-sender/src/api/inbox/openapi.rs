//! The inbox routes and schemas of `/openapi.json`.

use serde_json::{json, Value};

use crate::inbox::conformance;

/// The inbox routes and schemas of `/openapi.json`.
pub fn document(doc: &mut Value) {
    use crate::api::openapi::{body, data, id_param, list_of, ok, schema_ref, time};
    let max = crate::api::wait::MAX_WAIT.as_secs();
    let name = || json!({ "name": "name", "in": "path", "required": true, "schema": { "type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$" } });
    let pair =
        json!({ "type": "array", "items": { "type": "string" }, "minItems": 2, "maxItems": 2 });
    let forwarded = json!({ "type": "object", "properties": {
        "url": { "type": "string", "description": "credentials masked (userinfo user:••••@, query tokens token=••••)" }, "sent_at": time(), "resigned": { "type": "boolean" },
        "headers": { "type": "array", "items": pair, "description": "the headers sent, credentials masked as the capture's" },
        "status_code": { "type": "integer", "nullable": true }, "error": { "type": "string", "nullable": true },
        "response_time_ms": { "type": "integer" }, "response_body": { "type": "string", "nullable": true, "description": "the first 4 KiB" }
    } });
    let schemas = json!({
        "ConfigureInbox": { "type": "object", "additionalProperties": false, "properties": {
            "scheme": { "type": "string", "enum": hookproof::Scheme::ALL.iter().map(|s| s.name()).collect::<Vec<_>>() },
            "secret": { "type": "string", "writeOnly": true },
            "secrets": { "type": "array", "items": { "type": "string" }, "writeOnly": true, "description": "several secrets (a rotation); not with secret. Neither: the inbox keeps its secrets if the scheme is the same" },
            "tolerance_seconds": { "type": "integer", "minimum": 0, "default": hookproof::DEFAULT_TOLERANCE_SECS },
            "forward_to": { "type": "string", "description": "an http(s) URL every capture is forwarded to; its userinfo is sent as Authorization: Basic unless the capture has an Authorization of its own (sent on as received); shown with its credentials masked, and given back as shown it is kept" },
            "respond_with": { "type": "object", "properties": { "status": { "type": "integer", "minimum": 200, "maximum": 599, "default": 200 }, "body": { "type": "string", "default": "" } } }
        } },
        "InboxListed": { "type": "object", "properties": {
            "name": { "type": "string" },
            "configured": { "type": "boolean", "description": "PUT /v1/inboxes/{name} configured it; else it only holds captures" },
            "scheme": { "type": "string", "nullable": true },
            "secrets": { "type": "integer", "description": "how many secrets it has (never shown)" },
            "tolerance_seconds": { "type": "integer" }, "forward_to": { "type": "string", "nullable": true, "description": "credentials masked (userinfo user:••••@, query tokens token=••••)" },
            "respond_with": { "type": "object" }, "captures": { "type": "integer" },
            "last_capture_at": { "type": "string", "format": "date-time", "nullable": true }
        } },
        "Inbox": { "type": "object", "properties": {
            "name": { "type": "string" }, "scheme": { "type": "string", "nullable": true },
            "secrets": { "type": "integer", "description": "how many secrets it has (never shown)" },
            "tolerance_seconds": { "type": "integer" }, "forward_to": { "type": "string", "nullable": true, "description": "credentials masked (userinfo user:••••@, query tokens token=••••)" },
            "respond_with": { "type": "object" }, "captures": { "type": "integer", "description": "every capture it holds; the rest of the summary covers the newest 1,000" },
            "verified": { "type": "integer" }, "unverified": { "type": "integer" },
            "conformance": { "type": "array", "items": { "type": "object", "properties": {
                "rule": { "type": "string", "enum": conformance::RULES }, "pass": { "type": "integer" }, "fail": { "type": "integer" }, "skip": { "type": "integer" } } } },
            "compliant": { "type": "boolean", "description": "at least one capture, and no rule failed" }
        } },
        "Capture": { "type": "object", "properties": {
            "id": { "type": "string" }, "inbox": { "type": "string" }, "method": { "type": "string" },
            "path": { "type": "string" }, "query": { "type": "string", "nullable": true, "description": "as sent, without ?; the values of token, access_token, api_key, key, secret, signature, sig, password (any case) masked: token=••••" },
            "headers": { "type": "array", "items": pair, "description": "in the order received, repeats kept, names lower-case; the values of authorization, proxy-authorization and cookie masked (`Bearer ••••`, `name=••••`): forwards and replays send them as received" },
            "body_base64": { "type": "string", "description": "the exact body" },
            "body": { "type": "string", "nullable": true, "description": "the body as text, when it is UTF-8" },
            "received_at": time(), "remote_addr": { "type": "string", "nullable": true },
            "status": { "type": "integer", "description": "the status answered" },
            "scheme": { "type": "string", "nullable": true, "description": "the scheme checked: the inbox's, or the one the headers name" },
            "delivery_id": { "type": "string", "nullable": true, "description": "the delivery id it carries under that scheme (its id header, or the body's \"id\" for stripe): what id_unique checks against every earlier capture of the inbox" },
            "verification": { "type": "object", "nullable": true, "description": "with a scheme and secret: verified, code, message and the doctor's findings [{kind, message}]" },
            "conformance": { "type": "array", "items": { "type": "object", "properties": {
                "rule": { "type": "string", "enum": conformance::RULES },
                "status": { "type": "string", "enum": ["pass", "fail", "skip"] }, "detail": { "type": "string" } } } },
            "forward": { "allOf": [schema_ref("Forwarded")], "nullable": true },
            "replays": { "type": "array", "items": schema_ref("Forwarded") }
        } },
        "Forwarded": forwarded,
        "Replay": { "type": "object", "additionalProperties": false, "properties": {
            "url": { "type": "string", "description": "where to send; the inbox's forward_to by default" },
            "resign": { "type": "boolean", "default": false, "description": "sign afresh (new timestamp and id) with the inbox's secret" }
        } }
    });
    let paths = json!({
        "/in/{name}": {
            "parameters": [name()],
            "post": { "security": [], "summary": "Capture the request (any path below too; PUT and PATCH alike), from any host and without the token, at most --max-body-bytes; answered with the inbox's respond_with and an X-Hookproof-Capture header naming the capture", "responses": { "200": { "description": "the inbox's respond_with status and body" }, "413": { "$ref": "#/components/responses/Error" } } }
        },
        "/v1/inboxes": {
            "get": { "summary": "Every inbox, configured or holding captures, by name: its settings without secrets, how many captures it holds and when the newest came", "responses": ok("200", "Inboxes", list_of("InboxListed")) }
        },
        "/v1/inboxes/{name}": {
            "parameters": [name()],
            "put": { "summary": "Configure an inbox (201 when new): scheme and secret(s) to verify with, tolerance, forward_to, respond_with", "requestBody": body("ConfigureInbox", true), "responses": ok("200", "Inbox", data(schema_ref("Inbox"))) },
            "get": { "summary": "The inbox without its secrets, and its summary: captures verified, and per conformance rule how many passed, failed, skipped", "responses": ok("200", "Inbox", data(schema_ref("Inbox"))) },
            "delete": { "summary": "Delete the inbox's settings and captures", "responses": { "204": { "description": "deleted" }, "4XX": { "$ref": "#/components/responses/Error" } } }
        },
        "/v1/inboxes/{name}/captures": {
            "parameters": [name()],
            "get": { "summary": "Captures, newest first; with wait, only those newer than after, answered as soon as there is one", "parameters": [
                { "name": "limit", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "maximum": 1000 }, "description": "default 100; with wait or after, every capture found" },
                { "name": "wait", "in": "query", "required": false, "schema": { "type": "string", "example": "30s" },
                  "description": format!("how long to wait for a capture newer than after: a duration (500ms, 30s, or seconds), at most {max}s (longer is cut to {max}s); answered at once without it, [] when it ends first. Ends early when the sender stops") },
                { "name": "after", "in": "query", "required": false, "schema": { "type": "string" },
                  "description": "a capture id of this inbox: only captures newer than it are listed; default (with wait): the newest when the request came; empty: every capture" }
            ], "responses": ok("200", "Captures", list_of("Capture")) }
        },
        "/v1/inboxes/{name}/captures/{id}": {
            "parameters": [name(), id_param("id")],
            "get": { "summary": "One capture with its verification, conformance table, forward and replays", "responses": ok("200", "Capture", data(schema_ref("Capture"))) }
        },
        "/v1/inboxes/{name}/captures/{id}/replay": {
            "parameters": [name(), id_param("id")],
            "post": { "summary": "Send the capture again (same method, bytes and headers minus hop-by-hop), as is or re-signed with the inbox's secret (409 no_secret without one); answered with the answer", "requestBody": body("Replay", false), "responses": ok("200", "Forwarded", data(schema_ref("Forwarded"))) }
        }
    });
    for (section, add) in [("paths", paths), ("schemas", schemas)] {
        let target = if section == "paths" {
            &mut doc["paths"]
        } else {
            &mut doc["components"]["schemas"]
        };
        if let (Some(target), Value::Object(add)) = (target.as_object_mut(), add) {
            target.extend(add);
        }
    }
}
