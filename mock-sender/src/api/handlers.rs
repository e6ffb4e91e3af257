//! Plain async functions behind the routes, and the webhook rules they share with
//! `--config` loading.

use base64::Engine as _;
use hookproof::Scheme;
use rand::RngCore;
use serde::Serialize;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Rejection, Reply};

use super::error::ApiError;
use super::models::{
    CreateWebhook, EventAccepted, List, ListQuery, RotateSecret, SendEvent, TestEvent,
    UpdateWebhook,
};
use super::State;
use crate::delivery::{new_id, now_ms};
use crate::store::{PreviousSecret, Query, WebhookRecord};

const DEFAULT_GRACE_PERIOD_SECS: u64 = 24 * 3600;
const TEST_EVENT_TYPE: &str = "webhook.test";
const MAX_LIST_LIMIT: u32 = 1000;

fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    warp::reply::with_status(warp::reply::json(value), status).into_response()
}

/// `whsec_` + base64 of 24 random bytes: valid for every profile.
pub fn generate_secret() -> String {
    let mut key = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut key);
    format!(
        "{}{}",
        hookproof::SECRET_PREFIX,
        base64::engine::general_purpose::STANDARD.encode(key)
    )
}

fn parse_scheme(name: &str) -> Result<Scheme, ApiError> {
    name.parse().map_err(|_| {
        let names: Vec<&str> = Scheme::ALL.iter().map(|s| s.name()).collect();
        ApiError::invalid(
            "type",
            format!("unknown type `{name}`; one of {}", names.join(", ")),
        )
    })
}

fn check_url(url: &str) -> Result<(), ApiError> {
    match reqwest::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => Ok(()),
        _ => Err(ApiError::invalid(
            "url",
            "url must be an absolute http(s) URL",
        )),
    }
}

fn check_secret(scheme: Scheme, secret: &str) -> Result<(), ApiError> {
    hookproof::Webhook::new(scheme, secret)
        .map(drop)
        .map_err(|e| ApiError::invalid("secret", e.to_string()))
}

fn check_id(id: &str) -> Result<(), ApiError> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "id",
            "id must be 1-128 letters, digits, `_` or `-`",
        ))
    }
}

/// Checks a new webhook and builds its record (not stored).
pub fn new_webhook(req: CreateWebhook) -> Result<WebhookRecord, ApiError> {
    let id = match req.id {
        Some(id) => {
            check_id(&id)?;
            id
        }
        None => new_id("wh"),
    };
    check_url(&req.url)?;
    let scheme = parse_scheme(req.scheme.as_deref().unwrap_or("standard"))?;
    let secret = req.secret.unwrap_or_else(generate_secret);
    check_secret(scheme, &secret)?;
    let now = now_ms();
    Ok(WebhookRecord {
        id,
        url: req.url,
        scheme: scheme.name().to_owned(),
        secret,
        previous_secrets: Vec::new(),
        events: req.events,
        description: req.description,
        disabled: req.disabled,
        created_at: now,
        updated_at: now,
    })
}

/// What the API shows of a webhook: expired grace secrets are dropped.
fn shown(mut w: WebhookRecord) -> WebhookRecord {
    let now = now_ms();
    w.previous_secrets.retain(|p| p.expires_at > now);
    w
}

fn find_webhook(state: &State, id: &str) -> Result<WebhookRecord, ApiError> {
    state
        .store
        .webhook(id)?
        .ok_or_else(|| ApiError::not_found("webhook", id))
}

pub async fn create_webhook(req: CreateWebhook, state: State) -> Result<Response, Rejection> {
    let w = new_webhook(req)?;
    if state
        .store
        .webhook(&w.id)
        .map_err(ApiError::from)?
        .is_some()
    {
        return Err(ApiError {
            field: Some("id".into()),
            ..ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("webhook {} exists", w.id),
            )
        }
        .into());
    }
    state.store.put_webhook(&w).map_err(ApiError::from)?;
    tracing::info!(webhook = %w.id, url = %w.url, r#type = %w.scheme, "webhook created");
    Ok(json(StatusCode::CREATED, &w))
}

pub async fn list_webhooks(state: State) -> Result<Response, Rejection> {
    let data = state.store.webhooks().map_err(ApiError::from)?;
    Ok(json(
        StatusCode::OK,
        &List {
            data: data.into_iter().map(shown).collect(),
        },
    ))
}

pub async fn get_webhook(id: String, state: State) -> Result<Response, Rejection> {
    Ok(json(StatusCode::OK, &shown(find_webhook(&state, &id)?)))
}

pub async fn update_webhook(
    id: String,
    req: UpdateWebhook,
    state: State,
) -> Result<Response, Rejection> {
    let mut w = find_webhook(&state, &id)?;
    if let Some(url) = req.url {
        check_url(&url)?;
        w.url = url;
    }
    if let Some(name) = req.scheme {
        let scheme = parse_scheme(&name)?;
        check_secret(scheme, &w.secret)?;
        w.scheme = scheme.name().to_owned();
    }
    if let Some(events) = req.events {
        w.events = events;
    }
    if let Some(d) = req.description {
        w.description = Some(d);
    }
    if let Some(disabled) = req.disabled {
        w.disabled = disabled;
    }
    w.updated_at = now_ms();
    state.store.put_webhook(&w).map_err(ApiError::from)?;
    Ok(json(StatusCode::OK, &shown(w)))
}

pub async fn delete_webhook(id: String, state: State) -> Result<Response, Rejection> {
    if state.store.delete_webhook(&id).map_err(ApiError::from)? {
        tracing::info!(webhook = %id, "webhook deleted");
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::not_found("webhook", &id).into())
    }
}

pub async fn rotate_secret(
    id: String,
    req: RotateSecret,
    state: State,
) -> Result<Response, Rejection> {
    let mut w = find_webhook(&state, &id)?;
    let scheme = parse_scheme(&w.scheme)?;
    let secret = req.secret.unwrap_or_else(generate_secret);
    check_secret(scheme, &secret)?;
    let now = now_ms();
    let grace = req.grace_period_secs.unwrap_or(DEFAULT_GRACE_PERIOD_SECS);
    let grace_ms = i64::try_from(grace.saturating_mul(1000)).unwrap_or(i64::MAX);
    w.previous_secrets.retain(|p| p.expires_at > now);
    if grace > 0 {
        w.previous_secrets.insert(
            0,
            PreviousSecret {
                secret: std::mem::replace(&mut w.secret, secret),
                expires_at: now.saturating_add(grace_ms),
            },
        );
    } else {
        w.secret = secret;
    }
    w.updated_at = now;
    state.store.put_webhook(&w).map_err(ApiError::from)?;
    tracing::info!(webhook = %id, grace_period_secs = grace, "secret rotated");
    Ok(json(StatusCode::OK, &shown(w)))
}

pub async fn test_webhook(id: String, req: TestEvent, state: State) -> Result<Response, Rejection> {
    let w = find_webhook(&state, &id)?;
    let event_type = req.event_type.unwrap_or_else(|| TEST_EVENT_TYPE.to_owned());
    let data = req
        .data
        .unwrap_or_else(|| serde_json::json!({ "test": true, "webhook_id": w.id }));
    let d = state
        .engine
        .enqueue(&w, &new_id("evt"), &event_type, &data)
        .map_err(ApiError::from)?;
    Ok(json(StatusCode::ACCEPTED, &d))
}

pub async fn send_event(req: SendEvent, state: State) -> Result<Response, Rejection> {
    if req.event_type.is_empty() {
        return Err(ApiError::invalid("type", "type must not be empty").into());
    }
    let event_id = match req.id {
        Some(id) => {
            check_id(&id)?;
            id
        }
        None => new_id("evt"),
    };
    let webhooks = state.store.webhooks().map_err(ApiError::from)?;
    if let Some(ids) = &req.webhook_ids {
        if let Some(missing) = ids.iter().find(|id| !webhooks.iter().any(|w| &w.id == *id)) {
            return Err(ApiError {
                field: Some("webhook_ids".into()),
                ..ApiError::not_found("webhook", missing)
            }
            .into());
        }
    }
    let mut deliveries = Vec::new();
    for w in webhooks.iter().filter(|w| {
        w.wants(&req.event_type)
            && req
                .webhook_ids
                .as_ref()
                .map_or(true, |ids| ids.contains(&w.id))
    }) {
        deliveries.push(
            state
                .engine
                .enqueue(w, &event_id, &req.event_type, &req.data)
                .map_err(ApiError::from)?,
        );
    }
    Ok(json(
        StatusCode::ACCEPTED,
        &EventAccepted {
            id: event_id,
            event_type: req.event_type,
            deliveries,
        },
    ))
}

fn to_query(q: ListQuery) -> Result<Query, ApiError> {
    if let Some(limit) = q.limit {
        if limit == 0 || limit > MAX_LIST_LIMIT {
            return Err(ApiError::invalid(
                "limit",
                format!("limit must be 1-{MAX_LIST_LIMIT}"),
            ));
        }
    }
    Ok(Query {
        webhook_id: q.webhook_id,
        delivery_id: q.delivery_id,
        status: q.status,
        event_type: q.event_type,
        limit: q.limit,
    })
}

pub async fn list_deliveries(q: ListQuery, state: State) -> Result<Response, Rejection> {
    let data = state
        .store
        .deliveries(&to_query(q)?)
        .map_err(ApiError::from)?;
    Ok(json(StatusCode::OK, &List { data }))
}

pub async fn get_delivery(id: String, state: State) -> Result<Response, Rejection> {
    let d = state
        .store
        .delivery(&id)
        .map_err(ApiError::from)?
        .ok_or_else(|| ApiError::not_found("delivery", &id))?;
    Ok(json(StatusCode::OK, &d))
}

/// Oldest first: the story of one delivery.
pub async fn delivery_attempts(id: String, state: State) -> Result<Response, Rejection> {
    if state.store.delivery(&id).map_err(ApiError::from)?.is_none() {
        return Err(ApiError::not_found("delivery", &id).into());
    }
    let mut data = state
        .store
        .attempts(&Query {
            delivery_id: Some(id),
            ..Query::default()
        })
        .map_err(ApiError::from)?;
    data.reverse();
    Ok(json(StatusCode::OK, &List { data }))
}

pub async fn retry_delivery(id: String, state: State) -> Result<Response, Rejection> {
    let d = state
        .engine
        .retry(&id)
        .map_err(ApiError::from)?
        .ok_or_else(|| ApiError::not_found("delivery", &id))?;
    Ok(json(StatusCode::ACCEPTED, &d))
}

/// Newest first: every attempt, filterable by webhook and delivery.
pub async fn logs(q: ListQuery, state: State) -> Result<Response, Rejection> {
    let data = state
        .store
        .attempts(&to_query(q)?)
        .map_err(ApiError::from)?;
    Ok(json(StatusCode::OK, &List { data }))
}

pub async fn health() -> Result<Response, Rejection> {
    Ok(json(StatusCode::OK, &serde_json::json!({ "ok": true })))
}

pub async fn openapi() -> Result<Response, Rejection> {
    Ok(json(StatusCode::OK, &super::openapi::document()))
}
