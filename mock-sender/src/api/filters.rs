//! One function per route. Path first, then method, then auth, then body, so an unknown
//! path is a 404 and a known path with the wrong method a 405.

use std::convert::Infallible;
use std::time::Duration;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use super::error::{handle_rejection, parse_json, ApiError};
use super::handlers;
use super::models::{ListQuery, StreamQuery};
use super::State;

/// Every route, with the JSON rejection handler; the static files last.
pub fn routes(state: State, files: Route) -> BoxedFilter<(Response,)> {
    // Boxed in groups: one long chain of `or`s overflows the trait solver in release builds.
    let webhooks = webhooks_create(state.clone())
        .or(webhooks_list(state.clone()))
        .unify()
        .or(webhook_get(state.clone()))
        .unify()
        .or(webhook_update(state.clone()))
        .unify()
        .or(webhook_delete(state.clone()))
        .unify()
        .or(webhook_rotate_secret(state.clone()))
        .unify()
        .or(webhook_test(state.clone()))
        .unify()
        .or(webhook_deliveries(state.clone()))
        .unify()
        .or(webhook_logs(state.clone()))
        .unify()
        .or(webhook_stats(state.clone()))
        .unify()
        .boxed();
    let deliveries = events_send(state.clone())
        .or(super::event_types::route(state.clone()))
        .unify()
        .or(super::wait::delivery(state.clone()))
        .unify()
        .or(super::wait::webhook_deliveries(state.clone()))
        .unify()
        .or(deliveries_list(state.clone()))
        .unify()
        .or(delivery_get(state.clone()))
        .unify()
        .or(delivery_attempts(state.clone()))
        .unify()
        .or(delivery_retry(state.clone()))
        .unify()
        .or(logs(state.clone()))
        .unify()
        .boxed();
    let guard = super::guard::same_site(&state);
    let not_looped = super::guard::not_sent_by_itself(&state);
    let capture = super::inbox::capture(state.clone());
    let routes = health()
        .or(openapi())
        .unify()
        .or(stream(state.clone()))
        .unify()
        .or(webhooks)
        .unify()
        .or(deliveries)
        .unify()
        .or(super::wait::inbox_captures(state.clone()))
        .unify()
        .or(super::inbox::routes(state))
        .unify()
        .or(files)
        .unify();
    // Providers post to /in/ from anywhere: it is outside the guard. No route answers a
    // request the sender itself sent (a loop).
    not_looped
        .and(capture.or(guard.and(routes)).unify())
        .recover(handle_rejection)
        .unify()
        .with(warp::trace::request())
        .map(Reply::into_response)
        .boxed()
}

pub type Route = BoxedFilter<(Response,)>;

pub(super) fn with_state(
    state: State,
) -> impl Filter<Extract = (State,), Error = Infallible> + Clone {
    warp::any().map(move || state.clone())
}

/// `Authorization: Bearer <token>` when `--token` was given.
pub(super) fn auth(state: &State) -> impl Filter<Extract = (), Error = Rejection> + Clone {
    let token = state.token.clone();
    warp::header::optional::<String>("authorization")
        .and_then(move |given: Option<String>| {
            let token = token.clone();
            async move {
                let given = given.as_deref().and_then(|v| v.strip_prefix("Bearer "));
                if token_ok(token.as_deref(), given) {
                    Ok(())
                } else {
                    Err(warp::reject::custom(ApiError::unauthorized()))
                }
            }
        })
        .untuple_one()
}

/// No token configured, or the given one equals it: compared as SHA-256 digests, in
/// constant time, so that not even the token's length shows in the timing.
fn token_ok(token: Option<&str>, given: Option<&str>) -> bool {
    match (token, given) {
        (None, _) => true,
        (Some(t), Some(g)) => bool::from(Sha256::digest(g).ct_eq(&Sha256::digest(t))),
        (Some(_), None) => false,
    }
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Rejection> {
    parse_json(bytes).map_err(warp::reject::custom)
}

/// The body, at most `--max-body-bytes`. This is `warp::body::content_length_limit`
/// with JSON errors: warp's own 411/413 rejections rank below the 405 of a sibling route,
/// so a too-large POST would be reported as a wrong method.
pub(super) fn body_bytes(
    state: &State,
) -> impl Filter<Extract = (Bytes,), Error = Rejection> + Clone {
    let limit = state.max_body_bytes;
    warp::header::optional::<u64>("content-length")
        .and(warp::header::optional::<String>("transfer-encoding"))
        .and_then(move |len: Option<u64>, te: Option<String>| async move {
            match (len, te) {
                (Some(n), _) if n > limit => Err(warp::reject::custom(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    format!("the body is larger than {limit} bytes (--max-body-bytes)"),
                ))),
                // Hyper stops reading at Content-Length; without it and without a
                // Transfer-Encoding there is no body.
                (Some(_), _) | (None, None) => Ok(()),
                (None, Some(_)) => Err(warp::reject::custom(ApiError::new(
                    StatusCode::LENGTH_REQUIRED,
                    "length_required",
                    "send a Content-Length header with the body",
                ))),
            }
        })
        .untuple_one()
        .and(body_within(state.body_read_timeout))
}

/// The body, read within `timeout` (`--read-timeout`), else a 408: a client that stops
/// sending halfway holds its connection and a task no longer than that.
fn body_within(timeout: Duration) -> impl Filter<Extract = (Bytes,), Error = Rejection> + Clone {
    warp::body::stream().and_then(move |body| async move {
        let read = tokio::time::timeout(timeout, collect(body))
            .await
            .map_err(|_| {
                warp::reject::custom(ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    "request_timeout",
                    format!("the body did not arrive within {timeout:?} (--read-timeout)"),
                ))
            })?;
        read.map_err(|e| {
            warp::reject::custom(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                format!("reading the body: {e}"),
            ))
        })
    })
}

/// A body's chunks in one `Bytes`; a body of one chunk (most) is not copied.
async fn collect(
    body: impl Stream<Item = Result<impl Buf, warp::Error>>,
) -> Result<Bytes, warp::Error> {
    futures_util::pin_mut!(body);
    let Some(first) = body.next().await else {
        return Ok(Bytes::new());
    };
    let mut first = first?;
    let Some(second) = body.next().await else {
        return Ok(first.copy_to_bytes(first.remaining()));
    };
    let mut whole = BytesMut::from(first.copy_to_bytes(first.remaining()).as_ref());
    whole.put(second?);
    while let Some(chunk) = body.next().await {
        whole.put(chunk?);
    }
    Ok(whole.freeze())
}

/// A required JSON body.
pub(super) fn json_body<T: DeserializeOwned + Send>(
    state: &State,
) -> impl Filter<Extract = (T,), Error = Rejection> + Clone {
    body_bytes(state).and_then(|b: Bytes| async move {
        if b.iter().all(u8::is_ascii_whitespace) {
            Err(warp::reject::custom(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                "a JSON body is required",
            )))
        } else {
            parse::<T>(&b)
        }
    })
}

/// An optional JSON body: none or blank means `T::default()`.
pub(super) fn optional_json_body<T: DeserializeOwned + Default + Send>(
    state: &State,
) -> impl Filter<Extract = (T,), Error = Rejection> + Clone {
    body_bytes(state).and_then(|b: Bytes| async move {
        if b.iter().all(u8::is_ascii_whitespace) {
            Ok(T::default())
        } else {
            parse::<T>(&b)
        }
    })
}

/// The listings' query, parsed here rather than by `warp::query`, whose rejection says only
/// "Invalid query string": serde's error names the parameter (`unknown field \`foo\``).
fn list_query() -> impl Filter<Extract = (ListQuery,), Error = Rejection> + Clone {
    warp::query::raw()
        .or(warp::any().map(String::new))
        .unify()
        .and_then(|raw: String| async move {
            serde_urlencoded::from_str::<ListQuery>(&raw).map_err(|e| {
                warp::reject::custom(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_query",
                    format!("invalid query string: {e}"),
                ))
            })
        })
}

pub fn health() -> Route {
    warp::path!("healthz")
        .and(warp::get())
        .and_then(handlers::health)
        .boxed()
}

pub fn openapi() -> Route {
    warp::path!("openapi.json")
        .and(warp::get())
        .and_then(handlers::openapi)
        .boxed()
}

pub fn webhooks_create(state: State) -> Route {
    warp::path!("v1" / "webhooks")
        .and(warp::post())
        .and(auth(&state))
        .and(json_body(&state))
        .and(with_state(state))
        .and_then(handlers::create_webhook)
        .boxed()
}

pub fn webhooks_list(state: State) -> Route {
    warp::path!("v1" / "webhooks")
        .and(warp::get())
        .and(auth(&state))
        .and(with_state(state))
        .and_then(handlers::list_webhooks)
        .boxed()
}

pub fn webhook_get(state: State) -> Route {
    warp::path!("v1" / "webhooks" / String)
        .and(warp::get())
        .and(auth(&state))
        .and(with_state(state))
        .and_then(handlers::get_webhook)
        .boxed()
}

pub fn webhook_update(state: State) -> Route {
    warp::path!("v1" / "webhooks" / String)
        .and(warp::put())
        .and(auth(&state))
        .and(json_body(&state))
        .and(with_state(state))
        .and_then(handlers::update_webhook)
        .boxed()
}

pub fn webhook_delete(state: State) -> Route {
    warp::path!("v1" / "webhooks" / String)
        .and(warp::delete())
        .and(auth(&state))
        .and(with_state(state))
        .and_then(handlers::delete_webhook)
        .boxed()
}

pub fn webhook_rotate_secret(state: State) -> Route {
    warp::path!("v1" / "webhooks" / String / "rotate-secret")
        .and(warp::post())
        .and(auth(&state))
        .and(optional_json_body(&state))
        .and(with_state(state))
        .and_then(handlers::rotate_secret)
        .boxed()
}

pub fn webhook_test(state: State) -> Route {
    warp::path!("v1" / "webhooks" / String / "test")
        .and(warp::post())
        .and(auth(&state))
        .and(optional_json_body(&state))
        .and(with_state(state))
        .and_then(handlers::test_webhook)
        .boxed()
}

pub fn events_send(state: State) -> Route {
    warp::path!("v1" / "events")
        .and(warp::post())
        .and(auth(&state))
        .and(json_body(&state))
        .and(with_state(state))
        .and_then(handlers::send_event)
        .boxed()
}

pub fn deliveries_list(state: State) -> Route {
    warp::path!("v1" / "deliveries")
        .and(warp::get())
        .and(auth(&state))
        .and(list_query())
        .and(with_state(state))
        .and_then(handlers::list_deliveries)
        .boxed()
}

pub fn delivery_get(state: State) -> Route {
    warp::path!("v1" / "deliveries" / String)
        .and(warp::get())
        .and(auth(&state))
        .and(with_state(state))
        .and_then(handlers::get_delivery)
        .boxed()
}

pub fn delivery_attempts(state: State) -> Route {
    warp::path!("v1" / "deliveries" / String / "attempts")
        .and(warp::get())
        .and(auth(&state))
        .and(with_state(state))
        .and_then(handlers::delivery_attempts)
        .boxed()
}

pub fn delivery_retry(state: State) -> Route {
    warp::path!("v1" / "deliveries" / String / "retry")
        .and(warp::post())
        .and(auth(&state))
        .and(with_state(state))
        .and_then(handlers::retry_delivery)
        .boxed()
}

pub fn webhook_deliveries(state: State) -> Route {
    warp::path!("v1" / "webhooks" / String / "deliveries")
        .and(warp::get())
        .and(auth(&state))
        .and(list_query())
        .and(with_state(state))
        .and_then(handlers::webhook_deliveries)
        .boxed()
}

pub fn webhook_logs(state: State) -> Route {
    warp::path!("v1" / "webhooks" / String / "logs")
        .and(warp::get())
        .and(auth(&state))
        .and(list_query())
        .and(with_state(state))
        .and_then(handlers::webhook_logs)
        .boxed()
}

pub fn webhook_stats(state: State) -> Route {
    warp::path!("v1" / "webhooks" / String / "stats")
        .and(warp::get())
        .and(auth(&state))
        .and(with_state(state))
        .and_then(handlers::webhook_stats)
        .boxed()
}

/// Server-sent events; the token may come as `?token=` (EventSource sends no headers).
pub fn stream(state: State) -> Route {
    let token = state.token.clone();
    warp::path!("v1" / "stream")
        .and(warp::get())
        .and(warp::header::optional::<String>("authorization"))
        .and(warp::query::<StreamQuery>())
        .and_then(move |header: Option<String>, q: StreamQuery| {
            let token = token.clone();
            async move {
                let given = header
                    .as_deref()
                    .and_then(|v| v.strip_prefix("Bearer "))
                    .or(q.token.as_deref());
                if token_ok(token.as_deref(), given) {
                    Ok(())
                } else {
                    Err(warp::reject::custom(ApiError::unauthorized()))
                }
            }
        })
        .untuple_one()
        .and(with_state(state))
        .map(|state: State| super::stream::reply(&state))
        .boxed()
}

pub fn logs(state: State) -> Route {
    warp::path!("v1" / "logs")
        .and(warp::get())
        .and(auth(&state))
        .and(list_query())
        .and(with_state(state))
        .and_then(handlers::logs)
        .boxed()
}
