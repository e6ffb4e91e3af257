//! Plain async functions behind the routes, and the webhook rules they share with
//! `--config` loading.

use std::collections::HashSet;

use base64::Engine as _;
use hookproof::Scheme;
use rand::RngCore;
use serde::Serialize;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Rejection, Reply};

use super::error::ApiError;
use super::models::{
    ChaosRequest, CreateWebhook, CreatedWebhook, Data, DeliveryView, EventAccepted, ListQuery,
    LogView, RotateSecret, SendEvent, TestEvent, UpdateWebhook, Wait, WebhookView,
};
use super::State;
use crate::chaos::{Chaos, MAX_DELAY_MS};
use crate::clock::now_ms;
use crate::config::parse_duration;
use crate::delivery::{payload, profile_default};
use crate::ids::new_id;
use crate::store::{DeliveryStatus, Kind, PreviousSecret, Query, WebhookRecord};

const DEFAULT_GRACE_PERIOD_SECS: u64 = 24 * 3600;
const MAX_LIST_LIMIT: u32 = 1000;
const DEFAULT_PROFILE: Scheme = Scheme::Vector;
/// Bounds on a `retry_schedule`: entries, and the longest wait (7 days).
const MAX_SCHEDULE_LEN: usize = 50;
const MAX_WAIT_MS: u64 = 7 * 86400 * 1000;

/// `{"data": value}` with `status`.
fn json<T: Serialize>(status: StatusCode, value: T) -> Response {
    warp::reply::with_status(warp::reply::json(&Data { data: value }), status).into_response()
}

/// `whsec_` + base64 of 24 random bytes: valid for every profile.
pub fn generate_secret() -> String {
    random_key(hookproof::SECRET_PREFIX, [0u8; 24])
}

/// `whsk_` + base64 of a random 32-byte Ed25519 seed: a Standard Webhooks secret key
/// (standard and svix profiles), whose `whpk_` public key the API shows.
pub fn generate_signing_key() -> String {
    random_key(hookproof::SIGNING_KEY_PREFIX, [0u8; 32])
}

fn random_key<const N: usize>(prefix: &str, mut key: [u8; N]) -> String {
    rand::thread_rng().fill_bytes(&mut key);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::STANDARD.encode(key)
    )
}

/// A secret generated as `signing` asks (`hmac` or `ed25519`; `current`'s kind when not
/// given, else `hmac`).
fn generate(
    signing: Option<&str>,
    current: Option<&str>,
    profile: Scheme,
) -> Result<String, ApiError> {
    let ed25519 = match signing {
        Some("hmac") => false,
        Some("ed25519") => true,
        Some(other) => {
            return Err(ApiError::invalid(
                "signing",
                format!("signing must be `hmac` or `ed25519`, not `{other}`"),
            ))
        }
        None => current.is_some_and(|s| s.starts_with(hookproof::SIGNING_KEY_PREFIX)),
    };
    if !ed25519 {
        return Ok(generate_secret());
    }
    if !profile.takes_ed25519_keys() {
        return Err(ApiError::invalid(
            "signing",
            format!(
                "ed25519 (Standard Webhooks' v1a) is for the standard and svix profiles, not {profile}"
            ),
        ));
    }
    Ok(generate_signing_key())
}

/// The secret of a create or rotate request: the one given (then `signing` may not be),
/// or one generated.
fn secret_of(
    secret: Option<String>,
    signing: Option<&str>,
    current: Option<&str>,
    profile: Scheme,
) -> Result<String, ApiError> {
    match (secret, signing) {
        (Some(_), Some(_)) => Err(ApiError::invalid(
            "signing",
            "signing is for a generated secret: give secret or signing, not both",
        )),
        (Some(secret), None) => Ok(secret),
        (None, signing) => generate(signing, current, profile),
    }
}

fn parse_profile(name: &str) -> Result<Scheme, ApiError> {
    name.parse().map_err(|_| {
        let names: Vec<&str> = Scheme::ALL.iter().map(|s| s.name()).collect();
        ApiError::invalid(
            "profile",
            format!("unknown profile `{name}`; one of {}", names.join(", ")),
        )
    })
}

fn parse_kind(name: &str) -> Result<Kind, ApiError> {
    Kind::ALL
        .into_iter()
        .find(|k| k.as_str() == name)
        .ok_or_else(|| {
            let hint = if name.parse::<Scheme>().is_ok() {
                format!(" (`{name}` is a profile: send it as `profile`)")
            } else {
                String::new()
            };
            ApiError::invalid(
                "type",
                format!("type must be `http` or `slack`, not `{name}`{hint}"),
            )
        })
}

/// An absolute http(s) URL; plain http only to loopback unless `--allow-http`.
pub fn check_url(url: &str, allow_http: bool) -> Result<(), ApiError> {
    let u = match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => u,
        _ => {
            return Err(ApiError::invalid(
                "url",
                "url must be an absolute http(s) URL",
            ))
        }
    };
    if u.scheme() == "http" && !allow_http && !is_loopback(&u) {
        return Err(ApiError::invalid(
            "url",
            "http:// is only for loopback receivers (127.0.0.1, ::1, localhost): use https, or start the sender with --allow-http",
        ));
    }
    Ok(())
}

/// Only `localhost` itself among names: the system resolver may ask DNS about other
/// `.localhost` names, which would then be plain http to wherever they point.
fn is_loopback(u: &url::Url) -> bool {
    let host = u.host_str().unwrap_or_default();
    super::is_loopback_host(host.trim_start_matches('[').trim_end_matches(']'))
}

/// A secret the profile can sign with: a trial signature also refuses a Standard Webhooks
/// `whpk_` public key, which verifies only (`whsk_` secret keys sign `v1a`).
fn check_secret(scheme: Scheme, secret: &str) -> Result<(), ApiError> {
    hookproof::Webhook::new(scheme, secret)
        .and_then(|w| w.sign(b"", "msg_check", 0))
        .map(drop)
        .map_err(|e| ApiError::invalid("secret", e.to_string()))
}

fn check_id(field: &str, id: &str) -> Result<(), ApiError> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            field,
            format!("{field} must be 1-128 letters, digits, `_` or `-`"),
        ))
    }
}

/// At least one pattern; each an event name, `prefix.*` or `*`.
/// An event's type: what providers send in a header too (X-GitHub-Event, X-Vector-Event,
/// ...), so visible ASCII only, as a header value must be; no `*`, which patterns use.
fn is_event_type(name: &str) -> bool {
    !name.is_empty() && name.len() <= 200 && name.bytes().all(|b| b.is_ascii_graphic() && b != b'*')
}

fn check_event_type(event_type: &str) -> Result<(), ApiError> {
    if is_event_type(event_type) {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "type",
            "type must be a non-empty event type of at most 200 visible ASCII characters, without `*` or spaces",
        ))
    }
}

fn check_events(events: &[String]) -> Result<(), ApiError> {
    if events.is_empty() {
        return Err(ApiError::invalid(
            "events",
            "events must list at least one event type, `prefix.*` or `*`",
        ));
    }
    for (i, e) in events.iter().enumerate() {
        // A pattern is an event type, or one followed by `.*`, or `*`.
        let ok = e == "*" || is_event_type(e.strip_suffix(".*").unwrap_or(e));
        if !ok {
            return Err(ApiError::invalid(
                &format!("events[{i}]"),
                format!("`{e}` is not an event type, `prefix.*` or `*`"),
            ));
        }
    }
    Ok(())
}

/// Milliseconds per entry, checked.
pub fn parse_retry_schedule(waits: &[Wait]) -> Result<Vec<u64>, ApiError> {
    if waits.is_empty() || waits.len() > MAX_SCHEDULE_LEN {
        return Err(ApiError::invalid(
            "retry_schedule",
            format!("retry_schedule must have 1-{MAX_SCHEDULE_LEN} waits (the first is usually 0)"),
        ));
    }
    waits
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let field = format!("retry_schedule[{i}]");
            let d = match w {
                Wait::Seconds(s) => std::time::Duration::try_from_secs_f64(*s)
                    .map_err(|_| format!("{s} is not a number of seconds >= 0")),
                Wait::Duration(s) => parse_duration(s),
            }
            .map_err(|m| ApiError::invalid(&field, m))?;
            let ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
            if ms > MAX_WAIT_MS {
                return Err(ApiError::invalid(&field, "a wait is at most 7 days"));
            }
            Ok(ms)
        })
        .collect()
}

/// A probability: a number from 0 to 1.
fn check_probability(field: &str, p: Option<f64>) -> Result<f64, ApiError> {
    match p {
        None => Ok(0.0),
        Some(p) if (0.0..=1.0).contains(&p) => Ok(p),
        Some(p) => Err(ApiError::invalid(
            &format!("chaos.{field}"),
            format!("{field} is a probability from 0 to 1, not {p}"),
        )),
    }
}

/// Checks a webhook's `chaos` for its profile.
pub fn check_chaos(req: ChaosRequest, scheme: Scheme) -> Result<Chaos, ApiError> {
    let chaos = Chaos {
        duplicate: check_probability("duplicate", req.duplicate)?,
        reorder: req.reorder.unwrap_or(false),
        delay_ms: req.delay_ms,
        forge_signature: check_probability("forge_signature", req.forge_signature)?,
        stale_timestamp: check_probability("stale_timestamp", req.stale_timestamp)?,
        seed: req.seed,
    };
    if let Some([min, max]) = chaos.delay_ms {
        if min > max || max > MAX_DELAY_MS {
            return Err(ApiError::invalid(
                "chaos.delay_ms",
                format!("delay_ms is [min, max] with min <= max <= {MAX_DELAY_MS} (ms)"),
            ));
        }
    }
    if chaos.stale_timestamp > 0.0 && !scheme.is_timestamped() {
        return Err(ApiError::invalid(
            "chaos.stale_timestamp",
            format!("the {scheme} profile signs no timestamp, so nothing can be stale"),
        ));
    }
    Ok(chaos)
}

/// Checks a new webhook and builds its record (not stored).
pub fn new_webhook(req: CreateWebhook, allow_http: bool) -> Result<WebhookRecord, ApiError> {
    let id = match req.id {
        Some(id) => {
            check_id("id", &id)?;
            id
        }
        None => new_id("wh"),
    };
    let kind = parse_kind(req.kind.as_deref().unwrap_or("http"))?;
    check_url(&req.url, allow_http)?;
    check_events(&req.events)?;
    let profile = match &req.profile {
        Some(p) => parse_profile(p)?,
        None => DEFAULT_PROFILE,
    };
    let secret = secret_of(req.secret, req.signing.as_deref(), None, profile)?;
    check_secret(profile, &secret)?;
    let retry_schedule = req
        .retry_schedule
        .as_deref()
        .map(parse_retry_schedule)
        .transpose()?;
    let chaos = req.chaos.map(|c| check_chaos(c, profile)).transpose()?;
    let now = now_ms();
    Ok(WebhookRecord {
        id,
        kind,
        url: req.url,
        profile,
        secret,
        previous_secrets: Vec::new(),
        events: req.events,
        enabled: req.enabled.unwrap_or(true),
        retry_schedule,
        description: req.description,
        chaos,
        created_at: now,
        updated_at: now,
    })
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
    state
        .store
        .webhook(id)?
        .ok_or_else(|| ApiError::not_found("webhook", id))
}

pub async fn create_webhook(req: CreateWebhook, state: State) -> Result<Response, Rejection> {
    let w = new_webhook(req, state.allow_http)?;
    let _one_at_a_time = state.webhook_writes();
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
    tracing::info!(webhook = %w.id, url = %w.url, profile = %w.profile, "webhook created");
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
    let _one_at_a_time = state.webhook_writes();
    let mut w = find_webhook(&state, &id)?;
    // Everything is checked before anything changes.
    if let Some(url) = &req.url {
        check_url(url, state.allow_http)?;
    }
    if let Some(events) = &req.events {
        check_events(events)?;
    }
    let schedule = req
        .retry_schedule
        .as_deref()
        .map(parse_retry_schedule)
        .transpose()?;
    let chaos = match req.chaos {
        Some(Some(c)) => Some(Some(check_chaos(c, w.profile)?)),
        Some(None) => Some(None),
        None => None,
    };
    if let Some(c) = chaos {
        w.chaos = c;
    }
    if let Some(url) = req.url {
        w.url = url;
    }
    if let Some(events) = req.events {
        w.events = events;
    }
    if let Some(s) = schedule {
        w.retry_schedule = Some(s);
    }
    if let Some(d) = req.description {
        w.description = Some(d);
    }
    if let Some(enabled) = req.enabled {
        w.enabled = enabled;
    }
    w.updated_at = now_ms();
    state.store.put_webhook(&w).map_err(ApiError::from)?;
    Ok(json(StatusCode::OK, view(&state, &w)))
}

pub async fn delete_webhook(id: String, state: State) -> Result<Response, Rejection> {
    let _one_at_a_time = state.webhook_writes();
    if state.store.delete_webhook(&id).map_err(ApiError::from)? {
        state.engine.unthrottle(&id);
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
    let _one_at_a_time = state.webhook_writes();
    let mut w = find_webhook(&state, &id)?;
    let scheme = w.profile;
    let secret = secret_of(req.secret, req.signing.as_deref(), Some(&w.secret), scheme)?;
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
    check_event_type(&event_type)?;
    let data = req
        .data
        .unwrap_or_else(|| payload::test_data(&w, &event_type));
    let d = state
        .engine
        .enqueue(&w, &new_id("evt"), &event_type, &data)
        .await
        .map_err(ApiError::from)?;
    Ok(json(StatusCode::ACCEPTED, DeliveryView::new(&d)))
}

pub async fn send_event(req: SendEvent, state: State) -> Result<Response, Rejection> {
    check_event_type(&req.event_type)?;
    let event_id = match req.id {
        Some(id) => {
            check_id("id", &id)?;
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
    let targets: Vec<&WebhookRecord> = webhooks
        .iter()
        .map(|w| &**w)
        .filter(|w| {
            w.wants(&req.event_type)
                && chosen
                    .as_ref()
                    .is_none_or(|ids| ids.contains(w.id.as_str()))
        })
        .collect();
    let deliveries = state
        .engine
        .enqueue_all(&targets, &event_id, &req.event_type, &req.data)
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
        event_type: q.event,
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
    if q.event.is_some() {
        return Err(ApiError::invalid(
            "event",
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

fn deliveries_reply(state: &State, q: &Query) -> Result<Response, Rejection> {
    let data = state.store.deliveries(q).map_err(ApiError::from)?;
    Ok(json(
        StatusCode::OK,
        data.iter().map(DeliveryView::new).collect::<Vec<_>>(),
    ))
}

fn logs_reply(state: &State, q: &Query) -> Result<Response, Rejection> {
    let data = state.store.attempts(q).map_err(ApiError::from)?;
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
    deliveries_reply(&state, &q)
}

/// How many of a webhook's deliveries are pending, succeeded and failed.
pub async fn webhook_stats(id: String, state: State) -> Result<Response, Rejection> {
    find_webhook(&state, &id)?;
    let counts = state.store.delivery_counts(&id).map_err(ApiError::from)?;
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
    logs_reply(&state, &q)
}

/// Every delivery, newest first.
pub async fn list_deliveries(q: ListQuery, state: State) -> Result<Response, Rejection> {
    deliveries_reply(&state, &delivery_query(q)?)
}

/// Every attempt, newest first.
pub async fn logs(q: ListQuery, state: State) -> Result<Response, Rejection> {
    logs_reply(&state, &log_query(q)?)
}

pub async fn get_delivery(id: String, state: State) -> Result<Response, Rejection> {
    let d = state
        .store
        .delivery(&id)
        .map_err(ApiError::from)?
        .ok_or_else(|| ApiError::not_found("delivery", &id))?;
    Ok(json(StatusCode::OK, DeliveryView::with_body(&d)))
}

/// Oldest first: the story of one delivery.
pub async fn delivery_attempts(id: String, state: State) -> Result<Response, Rejection> {
    if state.store.delivery(&id).map_err(ApiError::from)?.is_none() {
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
        .map_err(ApiError::from)?;
    data.reverse();
    Ok(json(
        StatusCode::OK,
        data.iter().map(LogView::new).collect::<Vec<_>>(),
    ))
}

pub async fn retry_delivery(id: String, state: State) -> Result<Response, Rejection> {
    // A deleted webhook's delivery may still be retried: that attempt fails and says why.
    if let Some(d) = state.store.delivery(&id).map_err(ApiError::from)? {
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
