//! Waiting on the server (long polling), so that a test waits for the sender instead of
//! polling it:
//! - `GET /v1/deliveries/{id}?wait=30s` answers as soon as the delivery is final
//!   (`success` or `failed`), or when the wait ends with the delivery as it is then.
//! - `GET /v1/webhooks/{id}/deliveries?wait=30s&after=ID` answers as soon as the webhook
//!   has a delivery made after delivery `ID` (without `after`: after the newest one when
//!   the request came; `after=` empty: any delivery) that passes the listing's filters (`status`, `event_type`), with those
//!   deliveries, newest first; an empty list when the wait ends first.
//! - `GET /v1/inboxes/{name}/captures?wait=30s&after=ID` answers as soon as the inbox has a
//!   capture newer than capture `ID` (without `after`: than the newest one when the request
//!   came; `after=` empty: any capture), with those captures, newest first; an empty list
//!   when the wait ends first.
//!
//! They wake on the engine's notices and the inboxes' feed of captures (what `/v1/stream`
//! sends), never on a timer, and end when the sender stops. A wait is at most [`MAX_WAIT`]. These routes come before the
//! plain ones and take a request only when its query names `wait` (or `after`).

use std::time::Duration;

use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use super::error::ApiError;
use super::filters::{auth, Route};
use super::models::{Data, DeliveryView};
use super::State;
use crate::config::parse_duration;
use crate::delivery::{Engine, Notice};
use crate::inbox::{valid_name, Capture};
use crate::store::{Db, DeliveryRecord, DeliveryStatus, Query, StoreError};

/// The longest wait one request may ask for; a longer one is cut to it (ask again).
pub const MAX_WAIT: Duration = Duration::from_secs(60);

/// Listings look this far back for `after`.
const LOOK_BACK: u32 = 1000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeliveryWait {
    wait: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListingWait {
    wait: Option<String>,
    after: Option<String>,
    status: Option<DeliveryStatus>,
    #[serde(alias = "event")]
    event_type: Option<String>,
    limit: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaptureWait {
    wait: Option<String>,
    after: Option<String>,
    limit: Option<u32>,
}

/// `GET /v1/deliveries/{id}?wait=...`.
pub fn delivery(state: State) -> Route {
    warp::path!("v1" / "deliveries" / String)
        .and(warp::get())
        .and(auth(&state))
        .and(query_naming(&["wait"]))
        .and(with(state))
        .then(|id: String, raw: String, state: State| async move {
            answer(delivery_wait(id, &raw, state).await)
        })
        .boxed()
}

/// `GET /v1/webhooks/{id}/deliveries?wait=...&after=...`.
pub fn webhook_deliveries(state: State) -> Route {
    warp::path!("v1" / "webhooks" / String / "deliveries")
        .and(warp::get())
        .and(auth(&state))
        .and(query_naming(&["wait", "after"]))
        .and(with(state))
        .then(|id: String, raw: String, state: State| async move {
            answer(listing_wait(id, &raw, state).await)
        })
        .boxed()
}

/// `GET /v1/inboxes/{name}/captures?wait=...&after=...`.
pub fn inbox_captures(state: State) -> Route {
    warp::path!("v1" / "inboxes" / String / "captures")
        .and(warp::get())
        .and(auth(&state))
        .and(query_naming(&["wait", "after"]))
        .and(with(state))
        .then(|name: String, raw: String, state: State| async move {
            answer(captures_wait(name, &raw, state).await)
        })
        .boxed()
}

/// The raw query, when it has one of `keys`; else the request is left to the plain route.
fn query_naming(
    keys: &'static [&'static str],
) -> impl Filter<Extract = (String,), Error = Rejection> + Clone {
    warp::query::raw().and_then(move |raw: String| async move {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&raw).unwrap_or_default();
        if pairs.iter().any(|(k, _)| keys.contains(&k.as_str())) {
            Ok(raw)
        } else {
            Err(warp::reject::not_found())
        }
    })
}

fn with(state: State) -> impl Filter<Extract = (State,), Error = std::convert::Infallible> + Clone {
    warp::any().map(move || state.clone())
}

/// Errors are answered here rather than rejected: a rejection would let the plain route
/// answer at once, without the wait.
fn answer(result: Result<Response, ApiError>) -> Response {
    result.unwrap_or_else(|e| e.reply())
}

fn parse_query<T: serde::de::DeserializeOwned>(raw: &str) -> Result<T, ApiError> {
    serde_urlencoded::from_str(raw).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            format!("invalid query string: {e}"),
        )
    })
}

/// `wait=`: a duration (`500ms`, `30s`, a bare number of seconds), at most [`MAX_WAIT`].
fn parse_wait(wait: Option<&str>) -> Result<Duration, ApiError> {
    match wait {
        None => Ok(Duration::ZERO),
        Some(w) => parse_duration(w)
            .map(|d| d.min(MAX_WAIT))
            .map_err(|e| ApiError::invalid("wait", e)),
    }
}

/// `limit=` of a listing that waits: 1 to [`LOOK_BACK`], or every one found.
fn parse_limit(limit: Option<u32>) -> Result<Option<u32>, ApiError> {
    match limit {
        Some(n) if n == 0 || n > LOOK_BACK => Err(ApiError::invalid(
            "limit",
            format!("limit must be 1-{LOOK_BACK}"),
        )),
        n => Ok(n),
    }
}

fn json<T: serde::Serialize>(value: T) -> Response {
    warp::reply::json(&Data { data: value }).into_response()
}

fn is_final(d: &DeliveryRecord) -> bool {
    d.status != DeliveryStatus::Pending
}

/// `all` (newest first) down to the item whose id is `after`, excluded; all of it when
/// `after` is none or not among them.
fn newer_than<T>(mut all: Vec<T>, after: Option<&str>, id: impl Fn(&T) -> &str) -> Vec<T> {
    if let Some(at) = after.and_then(|a| all.iter().position(|x| id(x) == a)) {
        all.truncate(at);
    }
    all
}

/// A listing's wait: `look()` again on each message of `feed` that `concerns` (and after
/// a lag), until it finds something, `deadline` passes or the sender stops (`closed`).
/// `found` is what the first look found.
async fn keep_looking<N: Clone, T, F>(
    mut found: Vec<T>,
    feed: &mut tokio::sync::broadcast::Receiver<N>,
    concerns: impl Fn(&N) -> bool,
    deadline: tokio::time::Instant,
    closed: impl std::future::Future<Output = ()>,
    mut look: impl FnMut() -> F,
) -> Result<Vec<T>, ApiError>
where
    F: std::future::Future<Output = Result<Vec<T>, ApiError>>,
{
    tokio::pin!(closed);
    while found.is_empty() {
        tokio::select! {
            message = feed.recv() => match message {
                Ok(m) if concerns(&m) => found = look().await?,
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => found = look().await?,
                Err(RecvError::Closed) => break,
            },
            () = tokio::time::sleep_until(deadline) => break,
            () = &mut closed => break,
        }
    }
    Ok(found)
}

async fn delivery_wait(id: String, raw: &str, state: State) -> Result<Response, ApiError> {
    let q: DeliveryWait = parse_query(raw)?;
    let wait = parse_wait(Some(&q.wait))?;
    let d = until_final(&state.engine, &state.store, &id, wait)
        .await
        .map_err(ApiError::from)?
        .ok_or_else(|| ApiError::not_found("delivery", &id))?;
    Ok(json(DeliveryView::with_body(&d)))
}

/// Delivery `id` once it is final, or as it is when `wait` ends or the sender stops;
/// `None` when there is no such delivery. Wakes on the engine's notices only.
pub async fn until_final(
    engine: &Engine,
    store: &Db,
    id: &str,
    wait: Duration,
) -> Result<Option<DeliveryRecord>, StoreError> {
    // Subscribed before reading, so that an attempt between the two is not missed.
    let mut notices = engine.subscribe();
    let closed = engine.closed();
    let deadline = tokio::time::Instant::now() + wait;
    let Some(mut d) = store.delivery(id).await? else {
        return Ok(None);
    };
    tokio::pin!(closed);
    while !is_final(&d) {
        tokio::select! {
            notice = notices.recv() => match notice {
                Ok(Notice::Attempt { delivery, .. }) if delivery.id == id => {
                    d = (*delivery).clone();
                }
                Ok(_) => {}
                // Missed some: the store knows.
                Err(RecvError::Lagged(_)) => match store.delivery(id).await? {
                    Some(now) => d = now,
                    None => return Ok(None),
                },
                Err(RecvError::Closed) => break,
            },
            () = tokio::time::sleep_until(deadline) => break,
            () = &mut closed => break,
        }
    }
    Ok(Some(d))
}

async fn listing_wait(id: String, raw: &str, state: State) -> Result<Response, ApiError> {
    let q: ListingWait = parse_query(raw)?;
    let wait = parse_wait(q.wait.as_deref())?;
    let limit = parse_limit(q.limit)?;
    if state.store.webhook(&id).map_err(ApiError::from)?.is_none() {
        return Err(ApiError::not_found("webhook", &id));
    }
    let mut notices = state.engine.subscribe();
    let closed = state.engine.closed();
    let deadline = tokio::time::Instant::now() + wait;
    // The webhook's deliveries, newest first, down to `after` (excluded).
    let newer = async |after: Option<&str>| -> Result<Vec<DeliveryRecord>, ApiError> {
        let all = state
            .store
            .deliveries(&Query {
                webhook_id: Some(id.clone()),
                limit: Some(LOOK_BACK),
                ..Query::default()
            })
            .await
            .map_err(ApiError::from)?;
        Ok(newer_than(all, after, |d| &d.id))
    };
    let after = match q.after {
        // Any delivery: what a client that found the webhook without one asks for, so
        // that none made between its look and this wait is missed.
        Some(after) if after.is_empty() => None,
        Some(after) => {
            match state.store.delivery(&after).await.map_err(ApiError::from)? {
                Some(d) if d.webhook_id == id => {}
                _ => {
                    return Err(ApiError::invalid(
                        "after",
                        format!("webhook {id} has no delivery {after}"),
                    ))
                }
            }
            Some(after)
        }
        None => newer(None).await?.first().map(|d| d.id.clone()),
    };
    let matching = async || -> Result<Vec<DeliveryRecord>, ApiError> {
        let mut found: Vec<DeliveryRecord> = newer(after.as_deref())
            .await?
            .into_iter()
            .filter(|d| q.status.is_none_or(|s| d.status == s))
            .filter(|d| q.event_type.as_ref().is_none_or(|e| d.event_type == *e))
            .collect();
        if let Some(n) = limit {
            found.truncate(n as usize);
        }
        Ok(found)
    };
    let first = matching().await?;
    // A new delivery of the webhook, or an attempt that may bring one to `status`.
    let concerns = |n: &Notice| match n {
        Notice::Delivery(d) => d.webhook_id == id,
        Notice::Attempt { delivery, .. } => delivery.webhook_id == id,
    };
    let found = keep_looking(first, &mut notices, concerns, deadline, closed, || {
        matching()
    })
    .await?;
    Ok(json(
        found.iter().map(DeliveryView::new).collect::<Vec<_>>(),
    ))
}

async fn captures_wait(name: String, raw: &str, state: State) -> Result<Response, ApiError> {
    if !valid_name(&name) {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "an inbox name is 1 to 64 of A-Z a-z 0-9 - _ .",
        ));
    }
    let q: CaptureWait = parse_query(raw)?;
    let wait = parse_wait(q.wait.as_deref())?;
    let limit = parse_limit(q.limit)?;
    let store = &state.inboxes.store;
    // Subscribed before reading, so that a capture between the two is not missed.
    let mut feed = state.inboxes.subscribe();
    let closed = state.engine.closed();
    let deadline = tokio::time::Instant::now() + wait;
    // The inbox's captures, newest first, down to `after` (excluded).
    let newer = async |after: Option<&str>| -> Result<Vec<Capture>, ApiError> {
        let all = store
            .captures(&name, Some(LOOK_BACK))
            .await
            .map_err(ApiError::from)?;
        Ok(newer_than(all, after, |c| &c.id))
    };
    let after = match q.after {
        // Empty: every capture counts (the inbox had none when the client looked).
        Some(after) if after.is_empty() => None,
        Some(after) => {
            if store
                .capture(&name, &after)
                .await
                .map_err(ApiError::from)?
                .is_none()
            {
                return Err(ApiError::invalid(
                    "after",
                    format!("inbox {name} has no capture {after}"),
                ));
            }
            Some(after)
        }
        None => newer(None).await?.first().map(|c| c.id.clone()),
    };
    let matching = async || -> Result<Vec<Capture>, ApiError> {
        let mut found = newer(after.as_deref()).await?;
        if let Some(n) = limit {
            found.truncate(n as usize);
        }
        Ok(found)
    };
    let first = matching().await?;
    let concerns = |c: &std::sync::Arc<Capture>| c.inbox == name;
    let found = keep_looking(first, &mut feed, concerns, deadline, closed, || matching()).await?;
    Ok(json(
        found
            .iter()
            .map(super::inbox::capture_json)
            .collect::<Vec<_>>(),
    ))
}
