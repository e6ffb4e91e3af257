//! `GET /v1/stream`: server-sent events for the dashboard. `event: delivery` when a
//! delivery is made (data: the delivery, as `/deliveries` lists it); `event: attempt`
//! after every attempt (data: the log entry, as `/logs` lists it, plus the delivery's new
//! `status`); `event: capture` when `/in/{name}` captures a request or a capture
//! changes (a forward answered, a replay sent; data: the capture); `event: lagged` when this client fell behind and missed some (refetch).
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

use super::models::{DeliveryView, LogView, StreamAttempt};
use crate::delivery::{Engine, Notice};
use crate::inbox::Capture;

pub fn reply(engine: &Engine, captures: broadcast::Receiver<Arc<Capture>>) -> Response {
    // Ends when the sender stops, so a graceful shutdown is not held up by open dashboards.
    let closed: Pin<Box<dyn Future<Output = ()> + Send>> = Box::pin(engine.closed());
    let events = stream::unfold(
        (engine.subscribe(), captures, closed),
        |(mut rx, mut captures, mut closed)| async move {
            let received = tokio::select! {
                r = rx.recv() => r,
                c = captures.recv() => match c {
                    Ok(capture) => {
                        let event = json_event("capture", &super::inbox::capture_json(&capture));
                        return Some((Ok::<_, Infallible>(event), (rx, captures, closed)));
                    }
                    Err(RecvError::Lagged(missed)) => Err(RecvError::Lagged(missed)),
                    Err(RecvError::Closed) => return None,
                },
                () = &mut closed => return None,
            };
            let event = match received {
                Ok(notice) => event(&notice),
                Err(RecvError::Lagged(missed)) => {
                    json_event("lagged", &serde_json::json!({ "missed": missed }))
                }
                Err(RecvError::Closed) => return None,
            };
            Some((Ok::<_, Infallible>(event), (rx, captures, closed)))
        },
    );
    warp::sse::reply(warp::sse::keep_alive().stream(events)).into_response()
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
