//! What each profile's provider puts in the body and the non-signature headers. The
//! signature headers come from `hookproof::Webhook::sign`, never from here.

use std::sync::LazyLock;

use serde::ser::SerializeMap;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};

use crate::catalog::{catalog, Fill, Override};
use crate::clock::rfc3339;
use crate::profile::Profile;

use crate::store::{Kind, WebhookRecord};

/// The API version Stripe-profile events claim.
const STRIPE_API_VERSION: &str = "2025-10-29.clover";
/// The region Vercel-profile bodies claim to come from.
const VERCEL_REGION: &str = "iad1";
/// The Slack app, workspace and (deprecated) verification token that slack-profile events
/// claim.
const SLACK_APP_ID: &str = "A0HOOKPROOF";
const SLACK_TEAM_ID: &str = "T0HOOKPROOF";
const SLACK_VERIFICATION_TOKEN: &str = "hookproof-verification-token";
/// GitHub's test event, sent when a webhook is made.
const GITHUB_PING: &str = "ping";
/// The event type of Slack's URL verification handshake (see `slack_challenge`).
pub const SLACK_URL_VERIFICATION: &str = "url_verification";
/// Slack's limits on a header block's and a section's text.
const SLACK_HEADER_CHARS: usize = 150;
const SLACK_SECTION_CHARS: usize = 2900;

/// What an event carries.
#[derive(Clone, Copy)]
pub enum Data<'a> {
    /// The request's data, as given: sent verbatim (number text, key order and big
    /// integers kept), as the body where the provider sends the resource itself, else
    /// inside the profile's envelope.
    Given(&'a RawValue),
    /// The catalog's example of the event for the profile, with fresh ids and times,
    /// edited by these overrides; `{}` in the envelope if the catalog has no such event.
    Fixture(&'a [Override]),
}

/// An event as the API received it.
pub struct Event<'a> {
    pub id: &'a str,
    pub event_type: &'a str,
    pub data: Data<'a>,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// The body: a Slack message for a `slack` webhook, else shaped like the provider the
/// profile imitates. Serialised once per delivery so every attempt signs and sends the
/// same bytes.
pub fn body(kind: Kind, profile: Profile, ev: &Event<'_>) -> String {
    match (kind, ev.data) {
        (Kind::Slack, Data::Given(raw)) => {
            slack_message(ev, &serde_json::from_str(raw.get()).unwrap_or_default()).to_string()
        }
        // The message shows the data part of the body the profile would send.
        (Kind::Slack, Data::Fixture(overrides)) => {
            let c = catalog();
            match c.body(profile.name(), ev.event_type, &fill(ev), overrides) {
                Some(Ok(body)) => slack_message(ev, c.data_in(profile.name(), &body)),
                _ => slack_message(ev, &json!({})),
            }
            .to_string()
        }
        (Kind::Http, Data::Given(raw)) => envelope(profile, ev, raw),
        (Kind::Http, Data::Fixture(overrides)) => {
            match catalog().body(profile.name(), ev.event_type, &fill(ev), overrides) {
                Some(Ok(body)) => body.to_string(),
                // A Vector.co event names itself in its body.
                _ if profile == Profile::VectorCo => json!({
                    "event": ev.event_type,
                    "timestamp": rfc3339(ev.created_at),
                })
                .to_string(),
                // So does a Slack event, in an `event_callback`.
                _ if profile == Profile::Slack => slack_event_callback(ev).to_string(),
                _ => envelope(profile, ev, &EMPTY),
            }
        }
    }
}

/// What a fixture's fresh ids and times are made of for `ev`.
fn fill<'a>(ev: &Event<'a>) -> Fill<'a> {
    Fill {
        event_id: ev.id,
        created_at: ev.created_at,
    }
}

/// `{}`, the data of an event the catalog does not know and the request gave none for.
static EMPTY: LazyLock<Box<RawValue>> =
    LazyLock::new(|| RawValue::from_string("{}".into()).expect("{} is JSON"));

/// A JSON object whose fields keep the order written and whose raw parts are copied
/// as they are.
struct Obj<'a>(Vec<(&'static str, Field<'a>)>);

enum Field<'a> {
    Json(Value),
    Raw(&'a RawValue),
    Obj(Obj<'a>),
}

impl Serialize for Obj<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            match v {
                Field::Json(v) => map.serialize_entry(k, v)?,
                Field::Raw(v) => map.serialize_entry(k, v)?,
                Field::Obj(v) => map.serialize_entry(k, v)?,
            }
        }
        map.end()
    }
}

fn envelope(profile: Profile, ev: &Event<'_>, data: &RawValue) -> String {
    use Field::{Json, Raw};
    let secs = ev.created_at.div_euclid(1000);
    let obj = match profile {
        // GitHub and Shopify send the resource itself; the event type is a header.
        // Vector.co's body is the event, `{event, timestamp, contact|company, segment}`,
        // and Slack's the Events API request (`url_verification`, `event_callback`):
        // given data is that body.
        Profile::Github | Profile::Shopify | Profile::VectorCo | Profile::Slack => {
            return data.get().to_owned()
        }
        Profile::Vector => Obj(vec![
            ("event", Json(json!(ev.event_type))),
            ("occurred_at", Json(json!(rfc3339(ev.created_at)))),
            ("data", Raw(data)),
        ]),
        Profile::Standard | Profile::Svix => Obj(vec![
            ("type", Json(json!(ev.event_type))),
            ("timestamp", Json(json!(rfc3339(ev.created_at)))),
            ("data", Raw(data)),
        ]),
        // Every field of stripe-node's `Event`, as a test-mode event made by the API.
        Profile::Stripe => Obj(vec![
            ("id", Json(json!(ev.id))),
            ("object", Json(json!("event"))),
            ("api_version", Json(json!(STRIPE_API_VERSION))),
            ("created", Json(json!(secs))),
            ("data", Field::Obj(Obj(vec![("object", Raw(data))]))),
            ("livemode", Json(json!(false))),
            ("pending_webhooks", Json(json!(1))),
            (
                "request",
                Json(json!({ "id": null, "idempotency_key": null })),
            ),
            ("type", Json(json!(ev.event_type))),
        ]),
        Profile::Vercel => Obj(vec![
            ("id", Json(json!(ev.id))),
            ("type", Json(json!(ev.event_type))),
            ("createdAt", Json(json!(ev.created_at))),
            ("payload", Raw(data)),
            ("region", Json(json!(VERCEL_REGION))),
        ]),
        Profile::Generic => Obj(vec![
            ("id", Json(json!(ev.id))),
            ("type", Json(json!(ev.event_type))),
            ("created_at", Json(json!(rfc3339(ev.created_at)))),
            ("data", Raw(data)),
        ]),
    };
    serde_json::to_string(&obj).unwrap_or_default()
}

/// An Events API `event_callback` of event `ev`, which the catalog does not have: the
/// event is only its `type` and `event_ts`.
fn slack_event_callback(ev: &Event<'_>) -> Value {
    let secs = ev.created_at.div_euclid(1000);
    // The fields of Bolt's `EnvelopedEvent`, for a made-up app and workspace.
    json!({
        "token": SLACK_VERIFICATION_TOKEN,
        "team_id": SLACK_TEAM_ID,
        "api_app_id": SLACK_APP_ID,
        "type": "event_callback",
        "event_id": ev.id,
        "event_time": secs,
        "event": { "type": ev.event_type, "event_ts": format!("{secs}.000000") },
    })
}

/// The event type of a test delivery to webhook `w` (`POST /v1/webhooks/{id}/test`)
/// unless the request names one: GitHub's `ping`, Slack's `url_verification` handshake
/// (a Slack message gets the profile's first event instead), else the catalog's
/// `test_event` of the profile (Stripe's `invoice.paid`, ...).
pub fn test_event_type(w: &WebhookRecord) -> &'static str {
    let c = catalog();
    let entry = match (w.kind, w.profile) {
        (Kind::Http, Profile::Slack) => return SLACK_URL_VERIFICATION,
        (_, Profile::Github) => return GITHUB_PING,
        (Kind::Slack, Profile::Slack) => c.first(w.profile.name()),
        (_, p) => c.test_event(p.name()),
    };
    entry.map_or("webhook.test", |e| e.event_type.as_str())
}

/// The data of test event `event_type` to `w` unless the request gives some: GitHub's
/// `ping` carries the hook's configuration; `None` for an event of the profile's catalog,
/// sent as its example (fresh ids and times; Slack's handshake a fresh challenge), and for
/// any other event to a Slack Events API webhook (an `event_callback` of it); for another
/// event, a small object naming the webhook.
pub fn test_data(w: &WebhookRecord, event_type: &str) -> Option<Value> {
    Some(match (test_event_type(w), event_type) {
        (GITHUB_PING, GITHUB_PING) => json!({
            "zen": "Keep it logically awesome.",
            "hook_id": w.id,
            "hook": {
                "type": "Repository",
                "id": w.id,
                "active": w.enabled,
                "events": w.events,
                "config": { "content_type": "json", "insecure_ssl": "0", "url": crate::mask::url(&w.url) },
            },
        }),
        _ if catalog().entry(w.profile.name(), event_type).is_some() => return None,
        // An Events API request names its event: one the catalog lacks is sent as an
        // `event_callback` of it (see `body`), not as data of its own.
        _ if (w.kind, w.profile) == (Kind::Http, Profile::Slack) => return None,
        _ => json!({ "test": true, "webhook_id": w.id }),
    })
}

/// The challenge in a `url_verification` body the Slack profile made, if `body` is one.
pub fn slack_challenge_in(body: &str) -> Option<String> {
    let v: Value = serde_json::from_str(body).ok()?;
    (v.get("type")?.as_str()? == SLACK_URL_VERIFICATION)
        .then(|| v.get("challenge")?.as_str().map(str::to_owned))
        .flatten()
}

/// A Slack incoming-webhook message: `text` for notifications, `blocks` for the channel.
fn slack_message(ev: &Event<'_>, data: &Value) -> Value {
    let pretty = serde_json::to_string_pretty(data).unwrap_or_default();
    json!({
        "text": format!("{}: {}", ev.event_type, data),
        "blocks": [
            { "type": "header", "text": { "type": "plain_text", "text": truncate(ev.event_type, SLACK_HEADER_CHARS) } },
            { "type": "section", "text": { "type": "mrkdwn", "text": format!("```{}```", truncate(&pretty, SLACK_SECTION_CHARS)) } },
            { "type": "context", "elements": [{ "type": "mrkdwn", "text": format!("`{}` at {} from hookproof-sender", ev.id, rfc3339(ev.created_at)) }] },
        ],
    })
}

/// At most `max` characters, with an ellipsis when cut.
fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max.saturating_sub(1)) {
        Some((i, _)) if s.len() > i + 1 => format!("{}…", &s[..i]),
        _ => s.to_owned(),
    }
}

/// One request of a delivery, as its non-signature headers need it.
pub struct Request<'a> {
    pub event_type: &'a str,
    pub event_id: &'a str,
    pub webhook_id: &'a str,
    /// Unix milliseconds when the event was made.
    pub created_at: i64,
    /// 1-based: which attempt this request is.
    pub attempt: u32,
    /// Why the attempt before failed: Slack's `X-Slack-Retry-Reason` (`http_error`,
    /// `http_timeout`, `connection_failed`).
    pub retry_reason: Option<&'static str>,
}

/// Headers the provider sends besides its signature headers (which carry the delivery
/// id where the provider has one): the catalog's for the profile, and Slack's retry marks.
pub fn headers(profile: Profile, r: &Request<'_>) -> Vec<(&'static str, String)> {
    let mut h = match catalog().profile(profile.name()) {
        Some(p) => p.headers_for(r.event_type, r.event_id, r.webhook_id, r.created_at),
        None => vec![("Content-Type", "application/json".to_owned())],
    };
    // Slack marks its retries (its Bolt framework reads both).
    if profile == Profile::Slack && r.attempt > 1 {
        h.push(("X-Slack-Retry-Num", (r.attempt - 1).to_string()));
        let reason = r.retry_reason.unwrap_or("unknown_error");
        h.push(("X-Slack-Retry-Reason", reason.to_string()));
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_makes_json() {
        let data = serde_json::value::to_raw_value(&json!({"a": 1})).unwrap();
        let ev = Event {
            id: "evt_1",
            event_type: "user.created",
            data: Data::Given(&data),
            created_at: 1_700_000_000_000,
        };
        for profile in Profile::ALL {
            let v: Value = serde_json::from_str(&body(Kind::Http, profile, &ev)).unwrap();
            assert!(v.is_object(), "{profile}");
        }
        let keys = |profile| -> Vec<String> {
            let v: Value = serde_json::from_str(&body(Kind::Http, profile, &ev)).unwrap();
            let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            k.sort();
            k
        };
        assert_eq!(keys(Profile::Vector), ["data", "event", "occurred_at"]);
        assert_eq!(keys(Profile::Standard), ["data", "timestamp", "type"]);
        assert_eq!(
            keys(Profile::Stripe),
            [
                "api_version",
                "created",
                "data",
                "id",
                "livemode",
                "object",
                "pending_webhooks",
                "request",
                "type"
            ]
        );
        assert_eq!(
            keys(Profile::Vercel),
            ["createdAt", "id", "payload", "region", "type"]
        );
        assert_eq!(keys(Profile::Generic), ["created_at", "data", "id", "type"]);
        assert_eq!(
            keys(Profile::VectorCo),
            ["a"],
            "Vector.co's body is the data"
        );
        let unknown = Event {
            data: Data::Fixture(&[]),
            event_type: "contact.unknown",
            ..ev
        };
        let v: Value =
            serde_json::from_str(&body(Kind::Http, Profile::VectorCo, &unknown)).unwrap();
        assert_eq!(v["event"], "contact.unknown");
    }

    #[test]
    fn slack_events_are_the_given_request_or_an_event_callback() {
        let text =
            r#"{"type": "event_callback", "event_time": 1.50, "n": 1234567890123456789012345}"#;
        let data = RawValue::from_string(text.into()).unwrap();
        let ev = Event {
            id: "Ev1",
            event_type: "message",
            data: Data::Given(&data),
            created_at: 1_700_000_000_000,
        };
        assert_eq!(body(Kind::Http, Profile::Slack, &ev), text);
        let unknown = Event {
            data: Data::Fixture(&[]),
            event_type: "reaction_added",
            ..ev
        };
        let v: Value = serde_json::from_str(&body(Kind::Http, Profile::Slack, &unknown)).unwrap();
        assert_eq!(v["type"], "event_callback");
        assert_eq!(v["event_id"], "Ev1");
        assert_eq!(v["event"]["type"], "reaction_added");
        assert_eq!(v["event"]["event_ts"], "1700000000.000000");
        let handshake = Event {
            data: Data::Fixture(&[]),
            event_type: SLACK_URL_VERIFICATION,
            ..ev
        };
        let sent = body(Kind::Http, Profile::Slack, &handshake);
        let v: Value = serde_json::from_str(&sent).unwrap();
        assert_eq!(v["token"], SLACK_VERIFICATION_TOKEN);
        let challenge = slack_challenge_in(&sent).unwrap();
        assert_ne!(
            challenge, "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "fresh"
        );
    }

    #[test]
    fn slack_webhooks_get_block_kit() {
        let data = serde_json::value::to_raw_value(&json!({"a": "x".repeat(5000)})).unwrap();
        let ev = Event {
            id: "evt_1",
            event_type: "user.created",
            data: Data::Given(&data),
            created_at: 0,
        };
        let v: Value = serde_json::from_str(&body(Kind::Slack, Profile::Vector, &ev)).unwrap();
        assert!(v["text"].as_str().unwrap().starts_with("user.created: "));
        assert_eq!(v["blocks"][0]["type"], "header");
        let section = v["blocks"][1]["text"]["text"].as_str().unwrap();
        assert!(
            section.chars().count() <= SLACK_SECTION_CHARS + 6,
            "{}",
            section.len()
        );
        // A fixture's message shows its data as the overrides edit it.
        let o = [crate::catalog::parse_override("data.object.amount_paid=5000").unwrap()];
        let ev = Event {
            event_type: "invoice.paid",
            data: Data::Fixture(&o),
            ..ev
        };
        let v: Value = serde_json::from_str(&body(Kind::Slack, Profile::Stripe, &ev)).unwrap();
        let text = v["text"].as_str().unwrap();
        assert!(text.contains(r#""amount_paid":5000"#), "{text}");
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcd", 3), "ab…");
    }
}
