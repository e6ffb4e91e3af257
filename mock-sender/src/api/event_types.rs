//! `GET /v1/event-types?profile=P`: the event catalog, each event with its example
//! payload, its JSON Schema, its description and the headers its provider adds.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use super::error::ApiError;
use super::filters::{auth, Route};
use super::models::Data;
use super::State;
use crate::catalog::{catalog, Entry};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventTypesQuery {
    profile: Option<String>,
}

/// One event of the catalog.
#[derive(Debug, Serialize)]
pub struct EventTypeView<'a> {
    pub profile: &'a str,
    pub event_type: &'a str,
    pub description: &'a str,
    /// Besides the signature; `{event}`, `{event_id}`, `{created_at}`, `{hook_number}` and
    /// `{version}` are filled per delivery.
    pub headers: Map<String, Value>,
    pub schema: &'a Value,
    pub payload: &'a Value,
    /// The part of `payload` that `POST /v1/events`'s `data` gives (where the profile puts
    /// an event's data: `data.object` for stripe, the whole body for github).
    pub data: &'a Value,
}

impl<'a> EventTypeView<'a> {
    pub fn new(e: &'a Entry) -> Self {
        EventTypeView {
            profile: &e.profile,
            event_type: &e.event_type,
            description: &e.description,
            headers: e
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
            schema: &e.schema,
            payload: &e.payload,
            data: catalog()
                .data_of(&e.profile, &e.event_type)
                .unwrap_or(&e.payload),
        }
    }
}

pub fn route(state: State) -> Route {
    warp::path!("v1" / "event-types")
        .and(warp::get())
        .and(auth(&state))
        .and(
            warp::query::<EventTypesQuery>()
                .or_else(|_| async { Err(warp::reject::custom(bad_query())) }),
        )
        .and_then(|q: EventTypesQuery| async move { list(q) })
        .boxed()
}

fn bad_query() -> ApiError {
    ApiError::invalid("profile", "the query takes only profile")
}

fn list(q: EventTypesQuery) -> Result<Response, Rejection> {
    let c = catalog();
    if let Some(p) = q.profile.as_deref().filter(|p| c.profile(p).is_none()) {
        return Err(ApiError::invalid("profile", format!("no profile {p} in the catalog")).into());
    }
    let data: Vec<EventTypeView<'_>> = c
        .entries(q.profile.as_deref())
        .map(EventTypeView::new)
        .collect();
    Ok(warp::reply::with_status(warp::reply::json(&Data { data }), StatusCode::OK).into_response())
}
