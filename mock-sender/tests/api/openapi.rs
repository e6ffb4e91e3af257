//! `/healthz` and the OpenAPI document: every route described, every field of a webhook named.

use serde_json::{json, Value};

use crate::common::api::{create, DEAD_URL};
use crate::common::{call, config, ok, started};

#[tokio::test]
async fn healthz_and_openapi_describe_every_route() {
    let app = started(&config()).await;
    let health = ok(&app, "GET", "/healthz", None, 200).await;
    assert_eq!(health["ok"], true);
    let (status, doc) = call(&app, "GET", "/openapi.json", None).await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.0.3");
    let paths = [
        "/healthz",
        "/openapi.json",
        "/v1/webhooks",
        "/v1/webhooks/{id}",
        "/v1/webhooks/{id}/rotate-secret",
        "/v1/webhooks/{id}/test",
        "/v1/webhooks/{id}/deliveries",
        "/v1/webhooks/{id}/logs",
        "/v1/webhooks/{id}/stats",
        "/v1/events",
        "/v1/event-types",
        "/v1/deliveries",
        "/v1/deliveries/{id}",
        "/v1/deliveries/{id}/attempts",
        "/v1/deliveries/{id}/retry",
        "/v1/logs",
        "/v1/stream",
        "/in/{name}",
        "/v1/inboxes",
        "/v1/inboxes/{name}",
        "/v1/inboxes/{name}/captures",
        "/v1/inboxes/{name}/captures/{id}",
        "/v1/inboxes/{name}/captures/{id}/replay",
        "/",
        "/playground",
    ];
    for path in paths {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    assert_eq!(doc["paths"].as_object().unwrap().len(), paths.len());
    assert!(doc["paths"]["/v1/webhooks/{id}"]["put"].is_object());
}

#[tokio::test]
async fn the_openapi_webhook_schema_names_every_field_a_webhook_shows() {
    let app = started(&config()).await;
    let w = create(&app, json!({"url": DEAD_URL, "events": ["*"]})).await;
    let path = format!("/v1/webhooks/{}", w["id"].as_str().unwrap());
    let shown = ok(&app, "GET", &path, None, 200).await;
    let (_, doc) = call(&app, "GET", "/openapi.json", None).await;
    let schema = &doc["components"]["schemas"]["Webhook"]["properties"];
    for field in shown.as_object().unwrap().keys() {
        assert!(
            schema[field].is_object(),
            "{field} is not in the Webhook schema"
        );
    }
    assert_eq!(shown["throttled_until"], Value::Null, "not throttled");
}
