//! Plain async functions behind the routes: each parses, calls the webhook rules
//! (`crate::webhooks`) or the engine, and shapes the answer.

use std::collections::HashSet;

use serde::Serialize;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Rejection, Reply};

use super::error::ApiError;
use super::models::{
    CreateWebhook, CreatedWebhook, Data, DeliveryView, EventAccepted, ListQuery, LogView,
    RotateSecret, SendEvent, TestEvent, UpdateWebhook, WebhookView,
};
use super::{overrides, State};
use crate::delivery::{payload, profile_default};
use crate::ids::new_id;
use crate::store::{DeliveryStatus, Query, WebhookRecord};
use crate::webhooks::checks::{check_event_type, check_id};
use crate::webhooks::segments::EventSegment;

const MAX_LIST_LIMIT: u32 = 1000;

/// `{"data": value}` with `status`.
fn json<T: Serialize>(status: StatusCode, value: T) -> Response {
    warp::reply::with_status(warp::reply::json(&Data { data: value }), status).into_response()
}

/// What the API shows of a webhook: never its secrets.
pub fn view(state: &State, w: &WebhookRecord) -> WebhookView {
    let schedule = match &w.retry_schedule {
        Some(s) => s.clone(),
        None => profile_default(w.profile),
    };
    WebhookView::new(w, &schedule, state.engine.throttled_until(&w.id))
}

/// The one answer that shows the secret.
pub fn created(state: &State, w: &WebhookRecord) -> CreatedWebhook {
    CreatedWebhook {
        webhook: view(state, w),
        secret: w.secret.clone(),
    }
}

fn find_webhook(state: &State, id: &str) -> Result<WebhookRecord, ApiError> {
    Ok(state.webhooks.find(id)?)
}

pub async fn create_webhook(req: CreateWebhook, state: State) -> Result<Response, Rejection> {
    let w = state.webhooks.create(req).await.map_err(ApiError::from)?;
    tracing::info!(webhook = %w.id, url = %crate::mask::url(&w.url), profile = %w.profile, "webhook created");
    Ok(json(StatusCode::CREATED, created(&state, &w)))
}

pub async fn list_webhooks(state: State) -> Result<Response, Rejection> {
    let data = state.store.webhooks().map_err(ApiError::from)?;
    Ok(json(
        StatusCode::OK,
        data.iter().map(|w| view(&state, w)).collect::<Vec<_>>(),
    ))
}

pub async fn get_webhook(id: String, state: State) -> Result<Response, Rejection> {
    Ok(json(
        StatusCode::OK,
        view(&state, &find_webhook(&state, &id)?),
    ))
}

pub async fn update_webhook(
    id: String,
    req: UpdateWebhook,
    state: State,
) -> Result<Response, Rejection> {
    let w = state
        .webhooks
        .update(&id, req)
        .await
        .map_err(ApiError::from)?;
    Ok(json(StatusCode::OK, view(&state, &w)))
}

pub async fn delete_webhook(id: String, state: State) -> Result<Response, Rejection> {
    state.webhooks.delete(&id).await.map_err(ApiError::from)?;
    state.engine.unthrottle(&id);
    tracing::info!(webhook = %id, "webhook deleted");
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn rotate_secret(
    id: String,
    req: RotateSecret,
    state: State,
) -> Result<Response, Rejection> {
    let (w, grace) = state
        .webhooks
        .rotate(&id, req)
        .await
        .map_err(ApiError::from)?;
    tracing::info!(webhook = %id, grace_period_secs = grace, "secret rotated");
    Ok(json(StatusCode::OK, created(&state, &w)))
}

pub async fn test_webhook(id: String, req: TestEvent, state: State) -> Result<Response, Rejection> {
    let w = find_webhook(&state, &id)?;
    if !w.enabled {
        return Err(ApiError::webhook_disabled(&id).into());
    }
    let event_type = req
        .event_type
        .unwrap_or_else(|| payload::test_event_type(&w).to_owned());
    check_event_type(&event_type).map_err(ApiError::from)?;
    let edits = overrides::parse(req.overrides.as_ref(), req.data.is_some())?;
    overrides::check(&edits, &event_type, [w.profile])?;
    let made = match (&req.data, payload::test_data(&w, &event_type)) {
        (None, Some(_)) if !edits.is_empty() => {
            return Err(overrides::not_an_example(&event_type).into())
        }
        (None, Some(v)) => Some(serde_json::value::to_raw_value(&v).map_err(|e| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
        })?),
        _ => None,
    };
    let data = match req.data.as_deref().or(made.as_deref()) {
        Some(raw) => payload::Data::Given(raw),
        None => payload::Data::Fixture(&edits),
    };
    let d = state
        .engine
        .enqueue(&w, &new_id("evt"), &event_type, data)
        .await
        .map_err(ApiError::from)?;
    Ok(json(StatusCode::ACCEPTED, DeliveryView::new(&d)))
}

pub async fn send_event(req: SendEvent, state: State) -> Result<Response, Rejection> {
    check_event_type(&req.event_type).map_err(ApiError::from)?;
    let event_id = match req.id {
        Some(id) => {
            check_id("id", &id).map_err(ApiError::from)?;
            id
        }
        None => new_id("evt"),
    };
    let webhooks = state.store.webhooks().map_err(ApiError::from)?;
    // Sets, not scans of one list per item of the other: a body of 100k ids against
    // thousands of webhooks took seconds of a runtime worker.
    let chosen: Option<HashSet<&str>> = req
        .webhook_ids
        .as_ref()
        .map(|ids| ids.iter().map(String::as_str).collect());
    if let Some(ids) = &req.webhook_ids {
        let known: HashSet<&str> = webhooks.iter().map(|w| w.id.as_str()).collect();
        if let Some(missing) = ids.iter().find(|id| !known.contains(id.as_str())) {
            return Err(ApiError {
                field: Some("webhook_ids".into()),
                ..ApiError::not_found("webhook", missing)
            }
            .into());
        }
    }
    let edits = overrides::parse(req.overrides.as_ref(), req.data.is_some())?;
    let wanted: Vec<&WebhookRecord> = webhooks
        .iter()
        .map(|w| &**w)
        .filter(|w| {
            w.wants(&req.event_type)
                && chosen
                    .as_ref()
                    .is_none_or(|ids| ids.contains(w.id.as_str()))
        })
        .collect();
    // Every webhook's example is edited before any delivery is made: a path one of them
    // lacks refuses the whole event. With none to send to, the paths must still edit the
    // event as some profile sends it.
    if wanted.is_empty() {
        overrides::check_any(&edits, &req.event_type)?;
    } else {
        overrides::check(&edits, &req.event_type, wanted.iter().map(|w| w.profile))?;
    }
    let segment = EventSegment::new(&req.event_type, req.data.as_deref(), &edits);
    let targets: Vec<&WebhookRecord> = wanted.into_iter().filter(|w| segment.admits(w)).collect();
    let data = match req.data.as_deref() {
        Some(raw) => payload::Data::Given(raw),
        None => payload::Data::Fixture(&edits),
    };
    let deliveries = state
        .engine
        .enqueue_all(&targets, &event_id, &req.event_type, data)
        .await
        .map_err(ApiError::from)?
        .iter()
        .map(DeliveryView::new)
        .collect();
    Ok(json(
        StatusCode::ACCEPTED,
        EventAccepted {
            id: event_id,
            event_type: req.event_type,
            deliveries,
        },
    ))
}

fn check_limit(q: &ListQuery) -> Result<(), ApiError> {
    match q.limit {
        Some(limit) if limit == 0 || limit > MAX_LIST_LIMIT => Err(ApiError::invalid(
            "limit",
            format!("limit must be 1-{MAX_LIST_LIMIT}"),
        )),
        _ => Ok(()),
    }
}

/// The filters of a delivery listing.
fn delivery_query(q: ListQuery) -> Result<Query, ApiError> {
    check_limit(&q)?;
    if q.delivery_id.is_some() {
        return Err(ApiError::invalid(
            "delivery_id",
            "a delivery listing does not filter on delivery_id: GET /v1/deliveries/{id}",
        ));
    }
    let status = match q.status.as_deref() {
        None => None,
        Some("pending") => Some(DeliveryStatus::Pending),
        Some("success") => Some(DeliveryStatus::Success),
        Some("failed") => Some(DeliveryStatus::Failed),
        Some(s) => {
            return Err(ApiError::invalid(
                "status",
                format!("status must be pending, success or failed, not `{s}`"),
            ))
        }
    };
    Ok(Query {
        webhook_id: q.webhook_id,
        status,
        event_type: q.event_type,
        limit: q.limit,
        ..Query::default()
    })
}

/// The filters of an attempt listing.
fn log_query(q: ListQuery) -> Result<Query, ApiError> {
    check_limit(&q)?;
    let failed = match q.status.as_deref() {
        None => None,
        Some("failed") => Some(true),
        Some("success") => Some(false),
        Some(s) => {
            return Err(ApiError::invalid(
                "status",
                format!("status must be success or failed, not `{s}`"),
            ))
        }
    };
    if q.event_type.is_some() {
        return Err(ApiError::invalid(
            "event_type",
            "logs do not filter on the event",
        ));
    }
    Ok(Query {
        webhook_id: q.webhook_id,
        delivery_id: q.delivery_id,
        failed,
        limit: q.limit,
        ..Query::default()
    })
}

async fn deliveries_reply(state: &State, q: &Query) -> Result<Response, Rejection> {
    let data = state.store.deliveries(q).await.map_err(ApiError::from)?;
    Ok(json(
        StatusCode::OK,
        data.iter().map(DeliveryView::new).collect::<Vec<_>>(),
    ))
}

async fn logs_reply(state: &State, q: &Query) -> Result<Response, Rejection> {
    let data = state.store.attempts(q).await.map_err(ApiError::from)?;
    Ok(json(
        StatusCode::OK,
        data.iter().map(LogView::new).collect::<Vec<_>>(),
    ))
}

/// A webhook's deliveries, newest first.
pub async fn webhook_deliveries(
    id: String,
    q: ListQuery,
    state: State,
) -> Result<Response, Rejection> {
    if q.webhook_id.is_some() {
        return Err(ApiError::invalid("webhook_id", "the webhook is in the path").into());
    }
    find_webhook(&state, &id)?;
    let q = Query {
        webhook_id: Some(id),
        ..delivery_query(q)?
    };
    deliveries_reply(&state, &q).await
}

/// How many of a webhook's deliveries are pending, succeeded and failed.
pub async fn webhook_stats(id: String, state: State) -> Result<Response, Rejection> {
    find_webhook(&state, &id)?;
    let counts = state
        .store
        .delivery_counts(&id)
        .await
        .map_err(ApiError::from)?;
    Ok(json(StatusCode::OK, counts))
}

/// A webhook's attempts, newest first.
pub async fn webhook_logs(id: String, q: ListQuery, state: State) -> Result<Response, Rejection> {
    if q.webhook_id.is_some() {
        return Err(ApiError::invalid("webhook_id", "the webhook is in the path").into());
    }
    find_webhook(&state, &id)?;
    let q = Query {
        webhook_id: Some(id),
        ..log_query(q)?
    };
    logs_reply(&state, &q).await
}

/// Every delivery, newest first.
pub async fn list_deliveries(q: ListQuery, state: State) -> Result<Response, Rejection> {
    deliveries_reply(&state, &delivery_query(q)?).await
}

/// Every attempt, newest first.
pub async fn logs(q: ListQuery, state: State) -> Result<Response, Rejection> {
    logs_reply(&state, &log_query(q)?).await
}

pub async fn get_delivery(id: String, state: State) -> Result<Response, Rejection> {
    let d = state
        .store
        .delivery(&id)
        .await
        .map_err(ApiError::from)?
        .ok_or_else(|| ApiError::not_found("delivery", &id))?;
    Ok(json(StatusCode::OK, DeliveryView::with_body(&d)))
}

/// Oldest first: the story of one delivery.
pub async fn delivery_attempts(id: String, state: State) -> Result<Response, Rejection> {
    if state
        .store
        .delivery(&id)
        .await
        .map_err(ApiError::from)?
        .is_none()
    {
        return Err(ApiError::not_found("delivery", &id).into());
    }
    // All of them (a listing's default limit would drop the oldest), then oldest first.
    let mut data = state
        .store
        .attempts(&Query {
            delivery_id: Some(id),
            limit: Some(u32::MAX),
            ..Query::default()
        })
        .await
        .map_err(ApiError::from)?;
    data.reverse();
    Ok(json(
        StatusCode::OK,
        data.iter().map(LogView::new).collect::<Vec<_>>(),
    ))
}

pub async fn retry_delivery(id: String, state: State) -> Result<Response, Rejection> {
    // A deleted webhook's delivery may still be retried: that attempt fails and says why.
    if let Some(d) = state.store.delivery(&id).await.map_err(ApiError::from)? {
        if let Some(w) = state.store.webhook(&d.webhook_id).map_err(ApiError::from)? {
            if !w.enabled {
                return Err(ApiError::webhook_disabled(&w.id).into());
            }
        }
    }
    let d = state
        .engine
        .retry(&id)
        .await
        .map_err(ApiError::from)?
        .ok_or_else(|| ApiError::not_found("delivery", &id))?;
    Ok(json(StatusCode::ACCEPTED, DeliveryView::new(&d)))
}

pub async fn health() -> Result<Response, Rejection> {
    Ok(json(
        StatusCode::OK,
        serde_json::json!({ "ok": true, "version": env!("CARGO_PKG_VERSION") }),
    ))
}

pub async fn openapi() -> Result<Response, Rejection> {
    Ok(warp::reply::json(&super::openapi::document()).into_response())
}
