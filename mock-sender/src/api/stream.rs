//! `GET /v1/stream`: server-sent events for the dashboard. `event: delivery` when a
//! delivery is made (data: the delivery, as `/deliveries` lists it); `event: attempt`
//! after every attempt (data: the log entry, as `/logs` lists it, plus the delivery's new
//! `status`); `event: capture` when `/in/{name}` captures a request or a capture
//! changes (a forward answered, a replay sent; data: the capture); `event: webhook` when a
//! webhook is created, changed (its secret rotated, disabled by a 410 too) or deleted
//! (data: `{action, webhook}` without its secret, or `{action: "deleted", id}`);
//! `event: lagged` when this client fell behind and missed some (refetch).
//! A comment every 15 s keeps proxies from closing the connection.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;

use futures_util::stream;
use serde::Serialize;
use std::sync::Arc;

use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use warp::reply::Response;
use warp::sse::Event;
use warp::Reply;

use super::handlers::view;
use super::models::{DeliveryView, LogView, StreamAttempt};
use super::State;
use crate::delivery::Notice;
use crate::inbox::Capture;
use crate::webhooks::Change;

pub fn reply(state: &State) -> Response {
    let engine = &state.engine;
    // Ends when the sender stops, so a graceful shutdown is not held up by open dashboards.
    let closed: Pin<Box<dyn Future<Output = ()> + Send>> = Box::pin(engine.closed());
    let feeds = Feeds {
        notices: engine.subscribe(),
        captures: state.inboxes.subscribe(),
        webhooks: state.webhooks.subscribe(),
        closed,
        state: state.clone(),
    };
    let events = stream::unfold(feeds, |mut f| async move {
        let event = f.next().await?;
        Some((Ok::<_, Infallible>(event), f))
    });
    warp::sse::reply(warp::sse::keep_alive().stream(events)).into_response()
}

/// What one `/v1/stream` client listens to.
struct Feeds {
    notices: broadcast::Receiver<Notice>,
    captures: broadcast::Receiver<Arc<Capture>>,
    webhooks: broadcast::Receiver<Change>,
    closed: Pin<Box<dyn Future<Output = ()> + Send>>,
    /// For the webhooks' views.
    state: State,
}

impl Feeds {
    /// The next event; `None` once the sender stops.
    async fn next(&mut self) -> Option<Event> {
        let missed = tokio::select! {
            r = self.notices.recv() => match r {
                Ok(notice) => return Some(event(&notice)),
                Err(e) => e,
            },
            r = self.captures.recv() => match r {
                Ok(capture) => return Some(json_event("capture", &super::inbox::capture_json(&capture))),
                Err(e) => e,
            },
            r = self.webhooks.recv() => match r {
                Ok(change) => return Some(self.webhook_event(&change)),
                Err(e) => e,
            },
            () = &mut self.closed => return None,
        };
        match missed {
            RecvError::Lagged(missed) => Some(json_event(
                "lagged",
                &serde_json::json!({ "missed": missed }),
            )),
            RecvError::Closed => None,
        }
    }

    /// `event: webhook`: `{action: created|updated, webhook}` (as `/webhooks` lists it, no
    /// secret) or `{action: deleted, id}`.
    fn webhook_event(&self, change: &Change) -> Event {
        let data = match change {
            Change::Created(w) => {
                serde_json::json!({ "action": "created", "webhook": view(&self.state, w) })
            }
            Change::Updated(w) => {
                serde_json::json!({ "action": "updated", "webhook": view(&self.state, w) })
            }
            Change::Deleted(id) => serde_json::json!({ "action": "deleted", "id": id }),
        };
        json_event("webhook", &data)
    }
}

/// The SSE event for one notice.
pub fn event(notice: &Notice) -> Event {
    match notice {
        Notice::Delivery(d) => json_event("delivery", &DeliveryView::new(d)),
        Notice::Attempt { attempt, delivery } => json_event(
            "attempt",
            &StreamAttempt {
                log: LogView::new(attempt),
                status: delivery.status,
            },
        ),
    }
}

fn json_event<T: Serialize>(name: &str, data: &T) -> Event {
    // Serialising these records cannot fail; an empty object would still be valid JSON.
    Event::default()
        .event(name)
        .data(serde_json::to_string(data).unwrap_or_else(|_| "{}".into()))
}
