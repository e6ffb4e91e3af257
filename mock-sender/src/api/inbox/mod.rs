//! The inbox routes. `/in/{name}` (and below it) captures `POST`, `PUT` and `PATCH`
//! requests from anyone: providers call it, so it takes any `Host` and `Origin` and no
//! `--token`, only the `--max-body-bytes` limit. `/v1/inboxes/...` is the API, guarded as
//! the rest of `/v1`; `openapi` documents it. Captures are shown with the credentials of
//! their requests masked (`Capture::shown`), secrets never.

mod openapi;

use std::net::SocketAddr;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use warp::http::{HeaderMap, Method, StatusCode};
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use super::error::ApiError;
use super::filters::{auth, body_bytes, json_body, optional_json_body, with_state, Route};
use super::models::Data;
use super::State;
use crate::clock::now_ms;
use crate::clock::rfc3339;
use crate::inbox::conformance::{self, Status, Tally};
use crate::inbox::{valid_name, Capture, Forwarded, InboxConfig, Incoming, Respond};
pub use openapi::document;

/// `PUT /v1/inboxes/{name}`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ConfigureInbox {
    pub scheme: Option<String>,
    pub secret: Option<String>,
    pub secrets: Option<Vec<String>>,
    pub tolerance_seconds: Option<u64>,
    pub forward_to: Option<String>,
    pub respond_with: Option<RespondWith>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RespondWith {
    pub status: Option<u16>,
    pub body: Option<String>,
}

/// `POST /v1/inboxes/{name}/captures/{id}/replay`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Replay {
    /// Where to send; the inbox's `forward_to` when not given.
    pub url: Option<String>,
    /// Sign afresh (a new timestamp and id) with the inbox's secret.
    #[serde(default)]
    pub resign: bool,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Limit {
    limit: Option<u32>,
}

/// An inbox as the API shows it: no secret, the count of them.
#[derive(Debug, Serialize)]
pub struct InboxView {
    pub name: String,
    pub scheme: Option<&'static str>,
    pub secrets: usize,
    pub tolerance_seconds: u64,
    /// Its credentials masked (`mask::url`).
    pub forward_to: Option<String>,
    pub respond_with: Respond,
    /// Every capture it holds.
    pub captures: u64,
    /// Of its newest 1,000 captures (`store::inbox::DEFAULT_LIMIT`), as the rest of the
    /// summary: those that verified, and that did not (with a scheme and secret).
    pub verified: u64,
    pub unverified: u64,
    /// Per conformance rule: captures that passed, failed, skipped it.
    pub conformance: Vec<Tally>,
    /// At least one capture, and no rule failed by any.
    pub compliant: bool,
}

/// An inbox in the list: its settings without secrets, and how many captures it holds.
#[derive(Debug, Serialize)]
pub struct InboxListed {
    pub name: String,
    /// Whether `PUT /v1/inboxes/{name}` configured it (else it only holds captures).
    pub configured: bool,
    pub scheme: Option<&'static str>,
    pub secrets: usize,
    pub tolerance_seconds: u64,
    pub forward_to: Option<String>,
    pub respond_with: Respond,
    pub captures: u64,
    /// When the newest capture came (RFC 3339), null for none.
    pub last_capture_at: Option<String>,
}

fn json<T: Serialize>(status: StatusCode, value: T) -> Response {
    warp::reply::with_status(warp::reply::json(&Data { data: value }), status).into_response()
}

fn reject(e: impl Into<ApiError>) -> Rejection {
    warp::reject::custom(e.into())
}

/// The inbox name in a path: `/in/{name}` answers 404 for one it could not be.
fn inbox_name() -> impl Filter<Extract = (String,), Error = Rejection> + Clone {
    warp::path::param::<String>().and_then(|name: String| async move {
        if valid_name(&name) {
            Ok(name)
        } else {
            Err(reject(ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "an inbox name is 1 to 64 of A-Z a-z 0-9 - _ .",
            )))
        }
    })
}

/// The address a request came from: the sender's server gives it as a `Peer`, warp's
/// (the tests') as its remote address.
fn remote_addr(
) -> impl Filter<Extract = (Option<SocketAddr>,), Error = std::convert::Infallible> + Clone {
    warp::addr::remote()
        .and(warp::ext::optional::<super::Peer>())
        .map(|remote: Option<SocketAddr>, peer: Option<super::Peer>| remote.or(peer.map(|p| p.0)))
}

/// `POST|PUT|PATCH /in/{name}[/...]`, outside the Host/Origin guard and the token.
pub fn capture(state: State) -> Route {
    let methods = warp::post()
        .or(warp::put())
        .unify()
        .or(warp::patch())
        .unify();
    warp::path("in")
        .and(inbox_name())
        .and(warp::path::tail())
        .and(methods)
        .and(warp::method())
        .and(warp::path::full())
        .and(
            warp::query::raw()
                .map(Some)
                .or(warp::any().map(|| None))
                .unify(),
        )
        .and(warp::header::headers_cloned())
        .and(remote_addr())
        .and(body_bytes(&state))
        .and(with_state(state))
        .and_then(
            |name: String,
             _tail: warp::path::Tail,
             method: Method,
             path: warp::path::FullPath,
             query: Option<String>,
             headers: HeaderMap,
             remote: Option<SocketAddr>,
             body: Bytes,
             state: State| async move {
                let req = Incoming {
                    method: method.to_string(),
                    path: path.as_str().to_owned(),
                    query,
                    headers: headers
                        .iter()
                        .map(|(k, v)| {
                            (
                                k.to_string(),
                                String::from_utf8_lossy(v.as_bytes()).into_owned(),
                            )
                        })
                        .collect(),
                    body,
                    remote_addr: remote.map(|a| a.to_string()),
                };
                let capture = state.inboxes.capture(&name, req).await.map_err(reject)?;
                let config = state.inboxes.config(&name).await.map_err(reject)?;
                let status = StatusCode::from_u16(capture.status).unwrap_or(StatusCode::OK);
                let mut reply =
                    warp::reply::with_status(config.respond_with.body, status).into_response();
                if let Ok(id) = capture.id.parse() {
                    reply.headers_mut().insert("x-hookproof-capture", id);
                }
                Ok::<_, Rejection>(reply)
            },
        )
        .boxed()
}

/// The `/v1/inboxes` routes.
pub fn routes(state: State) -> Route {
    let all = warp::path!("v1" / "inboxes")
        .and(warp::get())
        .and(auth(&state))
        .and(with_state(state.clone()))
        .and_then(list_inboxes);
    let inbox = || {
        warp::path("v1")
            .and(warp::path("inboxes"))
            .and(inbox_name())
    };
    let put = inbox()
        .and(warp::path::end())
        .and(warp::put())
        .and(auth(&state))
        .and(json_body(&state))
        .and(with_state(state.clone()))
        .and_then(configure);
    let get = inbox()
        .and(warp::path::end())
        .and(warp::get())
        .and(auth(&state))
        .and(with_state(state.clone()))
        .and_then(show);
    let delete = inbox()
        .and(warp::path::end())
        .and(warp::delete())
        .and(auth(&state))
        .and(with_state(state.clone()))
        .and_then(remove);
    let list = inbox()
        .and(warp::path!("captures"))
        .and(warp::get())
        .and(auth(&state))
        .and(
            warp::query::<Limit>()
                .or(warp::any().map(Limit::default))
                .unify(),
        )
        .and(with_state(state.clone()))
        .and_then(list);
    let one = inbox()
        .and(warp::path!("captures" / String))
        .and(warp::get())
        .and(auth(&state))
        .and(with_state(state.clone()))
        .and_then(one);
    let replay = inbox()
        .and(warp::path!("captures" / String / "replay"))
        .and(warp::post())
        .and(auth(&state))
        .and(optional_json_body(&state))
        .and(with_state(state))
        .and_then(replay);
    all.or(put)
        .unify()
        .or(get)
        .unify()
        .or(delete)
        .unify()
        .or(list)
        .unify()
        .or(one)
        .unify()
        .or(replay)
        .unify()
        .boxed()
}

/// The settings `req` asks for, over the inbox's `old` ones (whose secrets are kept when
/// no new ones are given and the scheme stays).
pub fn configured(
    name: &str,
    req: ConfigureInbox,
    old: Option<InboxConfig>,
) -> Result<InboxConfig, ApiError> {
    let now = now_ms();
    let scheme = req
        .scheme
        .as_deref()
        .map(|s| {
            s.parse()
                .map_err(|e: hookproof::Error| ApiError::invalid("scheme", e.to_string()))
        })
        .transpose()?;
    let secrets = match (req.secret, req.secrets) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "secrets",
                "give secret or secrets, not both",
            ))
        }
        (Some(s), None) => vec![s],
        (None, Some(list)) => list,
        (None, None) => old
            .as_ref()
            .filter(|o| o.scheme == scheme)
            .map(|o| o.secrets.clone())
            .unwrap_or_default(),
    };
    if let Some(url) = &req.forward_to {
        match url::Url::parse(url) {
            // An inbox forwarding to a loopback inbox could forward to itself, forever.
            Ok(u)
                if u.path().starts_with("/in/")
                    && u.host_str().is_some_and(|h| {
                        super::is_loopback_host(h.trim_start_matches('[').trim_end_matches(']'))
                    }) =>
            {
                return Err(ApiError::invalid(
                    "forward_to",
                    "a loopback /in/ URL is an inbox: forwarding to one could loop",
                ))
            }
            Ok(u) if matches!(u.scheme(), "http" | "https") => {}
            _ => {
                return Err(ApiError::invalid(
                    "forward_to",
                    "an absolute http:// or https:// URL",
                ))
            }
        }
    }
    // The URL as shown (its credentials masked), sent back by a form, keeps the URL.
    let forward_to = match (
        req.forward_to,
        old.as_ref().and_then(|o| o.forward_to.as_ref()),
    ) {
        (Some(given), Some(kept)) if given == crate::mask::url(kept) => Some(kept.clone()),
        (given, _) => given,
    };
    let respond_with = match req.respond_with {
        None => Respond::default(),
        Some(r) => Respond {
            status: r.status.unwrap_or(200),
            body: r.body.unwrap_or_default(),
        },
    };
    if !(200..=599).contains(&respond_with.status) {
        return Err(ApiError::invalid(
            "respond_with.status",
            "an HTTP status from 200 to 599",
        ));
    }
    let config = InboxConfig {
        name: name.to_owned(),
        scheme,
        secrets,
        tolerance_seconds: req
            .tolerance_seconds
            .unwrap_or(hookproof::DEFAULT_TOLERANCE_SECS),
        forward_to,
        respond_with,
        created_at: old.as_ref().map_or(now, |o| o.created_at),
        updated_at: now,
    };
    if config.scheme.is_none() && !config.secrets.is_empty() {
        return Err(ApiError::invalid(
            "scheme",
            "a secret needs the scheme it signs with",
        ));
    }
    if let Some(Err(e)) = config.webhook() {
        // The crate's message names what is wrong with the secret, never the secret.
        return Err(ApiError::invalid("secret", e.to_string()));
    }
    Ok(config)
}

async fn configure(name: String, req: ConfigureInbox, state: State) -> Result<Response, Rejection> {
    let old = state.inboxes.store.inbox(&name).await.map_err(reject)?;
    let status = if old.is_some() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let config = configured(&name, req, old)?;
    state
        .inboxes
        .store
        .put_inbox(config.clone())
        .await
        .map_err(reject)?;
    Ok(json(status, view(&state, &config).await?))
}

pub async fn view(state: &State, config: &InboxConfig) -> Result<InboxView, Rejection> {
    let captures = state
        .inboxes
        .store
        .captures(&config.name, None)
        .await
        .map_err(reject)?;
    let counts = state.inboxes.store.capture_counts().await.map_err(reject)?;
    let conformance = conformance::summary(&captures);
    let verifications = captures.iter().filter_map(|c| c.verification.as_ref());
    let verified = verifications.clone().filter(|v| v.verified).count() as u64;
    let unverified = verifications.filter(|v| !v.verified).count() as u64;
    Ok(InboxView {
        name: config.name.clone(),
        scheme: config.scheme.map(hookproof::Scheme::name),
        secrets: config.secrets.len(),
        tolerance_seconds: config.tolerance_seconds,
        forward_to: config.forward_to.as_deref().map(crate::mask::url),
        respond_with: config.respond_with.clone(),
        captures: counts
            .into_iter()
            .find(|n| n.inbox == config.name)
            .map_or(0, |n| n.captures),
        verified,
        unverified,
        compliant: !captures.is_empty()
            && captures
                .iter()
                .all(|c| c.conformance.iter().all(|r| r.status != Status::Fail)),
        conformance,
    })
}

/// Every inbox, configured or holding captures, by name.
async fn list_inboxes(state: State) -> Result<Response, Rejection> {
    let store = &state.inboxes.store;
    let mut by_name = std::collections::BTreeMap::new();
    for config in store.inboxes().await.map_err(reject)? {
        by_name.insert(config.name.clone(), (Some(config), None));
    }
    for count in store.capture_counts().await.map_err(reject)? {
        let name = count.inbox.clone();
        by_name.entry(name).or_insert((None, None)).1 = Some(count);
    }
    let list: Vec<InboxListed> = by_name
        .into_iter()
        .map(|(name, (config, count))| {
            let configured = config.is_some();
            let config = config.unwrap_or_else(|| InboxConfig::unconfigured(&name));
            InboxListed {
                name,
                configured,
                scheme: config.scheme.map(hookproof::Scheme::name),
                secrets: config.secrets.len(),
                tolerance_seconds: config.tolerance_seconds,
                forward_to: config.forward_to.as_deref().map(crate::mask::url),
                respond_with: config.respond_with,
                captures: count.as_ref().map_or(0, |n| n.captures),
                last_capture_at: count.map(|n| rfc3339(n.last_received_at)),
            }
        })
        .collect();
    Ok(json(StatusCode::OK, list))
}

async fn show(name: String, state: State) -> Result<Response, Rejection> {
    let config = state.inboxes.config(&name).await.map_err(reject)?;
    Ok(json(StatusCode::OK, view(&state, &config).await?))
}

async fn remove(name: String, state: State) -> Result<Response, Rejection> {
    if state
        .inboxes
        .store
        .delete_inbox(&name)
        .await
        .map_err(reject)?
    {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(reject(ApiError::not_found("inbox", &name)))
    }
}

async fn list(name: String, q: Limit, state: State) -> Result<Response, Rejection> {
    let captures = state
        .inboxes
        .store
        .captures(&name, Some(q.limit.unwrap_or(100).min(1000)))
        .await
        .map_err(reject)?;
    Ok(json(
        StatusCode::OK,
        captures.iter().map(capture_json).collect::<Vec<_>>(),
    ))
}

async fn find(state: &State, name: &str, id: &str) -> Result<Capture, Rejection> {
    state
        .inboxes
        .store
        .capture(name, id)
        .await
        .map_err(reject)?
        .ok_or_else(|| reject(ApiError::not_found("capture", id)))
}

async fn one(name: String, id: String, state: State) -> Result<Response, Rejection> {
    Ok(json(
        StatusCode::OK,
        capture_json(&find(&state, &name, &id).await?),
    ))
}

async fn replay(
    name: String,
    id: String,
    req: Replay,
    state: State,
) -> Result<Response, Rejection> {
    let capture = find(&state, &name, &id).await?;
    let config = state.inboxes.config(&name).await.map_err(reject)?;
    let url = req
        .url
        .or_else(|| config.forward_to.clone())
        .ok_or_else(|| {
            reject(ApiError::invalid(
                "url",
                "give a url: the inbox has no forward_to",
            ))
        })?;
    let webhook =
        if req.resign {
            match config.webhook() {
                Some(Ok(w)) => Some(w),
                _ => return Err(reject(ApiError::new(
                    StatusCode::CONFLICT,
                    "no_secret",
                    "resign needs the inbox's scheme and secret: PUT /v1/inboxes/{name} with them",
                ))),
            }
        } else {
            None
        };
    let sent = state
        .inboxes
        .replay(&config, &capture, &url, webhook.as_ref())
        .await
        .map_err(reject)?;
    Ok(json(StatusCode::OK, forwarded_json(&sent)))
}

/// A capture as the API and `/v1/stream` show it: times in RFC 3339, as every answer.
pub fn capture_json(capture: &Capture) -> Value {
    let mut v = serde_json::to_value(capture.shown()).unwrap_or_default();
    let time = |v: &mut Value| {
        if let Some(ms) = v.as_i64() {
            *v = Value::String(rfc3339(ms));
        }
    };
    time(&mut v["received_at"]);
    if v["forward"].is_object() {
        time(&mut v["forward"]["sent_at"]);
    }
    if let Some(list) = v["replays"].as_array_mut() {
        list.iter_mut().for_each(|r| time(&mut r["sent_at"]));
    }
    v
}

fn forwarded_json(sent: &Forwarded) -> Value {
    let mut v = serde_json::to_value(sent.shown()).unwrap_or_default();
    if let Some(ms) = v["sent_at"].as_i64() {
        v["sent_at"] = Value::String(rfc3339(ms));
    }
    v
}
