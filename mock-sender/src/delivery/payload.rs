//! What each profile's provider puts in the body and the non-signature headers. The
//! signature headers come from `hookproof::Webhook::sign`, never from here.

use hookproof::Scheme;
use serde_json::{json, Value};

/// An event as the API received it.
pub struct Event<'a> {
    pub id: &'a str,
    pub event_type: &'a str,
    pub data: &'a Value,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// The body, shaped like the provider the profile imitates. Serialised once per delivery
/// so every attempt signs and sends the same bytes.
pub fn body(scheme: Scheme, ev: &Event<'_>) -> String {
    let secs = ev.created_at.div_euclid(1000);
    let value = match scheme {
        Scheme::Standard | Scheme::Svix => json!({
            "type": ev.event_type,
            "timestamp": rfc3339(ev.created_at),
            "data": ev.data,
        }),
        Scheme::Stripe => json!({
            "id": ev.id,
            "object": "event",
            "type": ev.event_type,
            "created": secs,
            "livemode": false,
            "data": { "object": ev.data },
        }),
        Scheme::Slack => {
            let mut event = match ev.data {
                Value::Object(map) => map.clone(),
                other => {
                    let mut m = serde_json::Map::new();
                    m.insert("value".into(), other.clone());
                    m
                }
            };
            event.insert("type".into(), json!(ev.event_type));
            event.insert("event_ts".into(), json!(format!("{secs}.000000")));
            json!({
                "type": "event_callback",
                "event_id": ev.id,
                "event_time": secs,
                "event": event,
            })
        }
        Scheme::Vercel => json!({
            "id": ev.id,
            "type": ev.event_type,
            "createdAt": ev.created_at,
            "payload": ev.data,
        }),
        // GitHub and Shopify send the resource itself; the event type is a header.
        Scheme::Github | Scheme::Shopify => ev.data.clone(),
        _ => json!({
            "id": ev.id,
            "type": ev.event_type,
            "created_at": rfc3339(ev.created_at),
            "data": ev.data,
        }),
    };
    value.to_string()
}

/// Headers the provider sends besides its signature headers.
pub fn headers(scheme: Scheme, event_type: &str, webhook_id: &str) -> Vec<(&'static str, String)> {
    let mut h = vec![
        ("Content-Type", "application/json".to_string()),
        (
            "User-Agent",
            concat!("hookproof-sender/", env!("CARGO_PKG_VERSION")).to_string(),
        ),
    ];
    match scheme {
        Scheme::Github => {
            h.push(("X-GitHub-Event", event_type.to_string()));
            h.push(("X-GitHub-Hook-ID", webhook_id.to_string()));
        }
        Scheme::Shopify => {
            h.push(("X-Shopify-Topic", event_type.to_string()));
            h.push((
                "X-Shopify-Shop-Domain",
                "hookproof.myshopify.com".to_string(),
            ));
        }
        Scheme::Vector => h.push(("X-Vector-Event", event_type.to_string())),
        Scheme::Generic => h.push(("X-Webhook-Event", event_type.to_string())),
        _ => {}
    }
    h
}

/// `2024-01-02T03:04:05.678Z` from Unix milliseconds.
pub fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_614_265_330_123), "2021-02-25T15:02:10.123Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn every_profile_makes_json() {
        let data = json!({"a": 1});
        let ev = Event {
            id: "evt_1",
            event_type: "user.created",
            data: &data,
            created_at: 1_700_000_000_000,
        };
        for scheme in Scheme::ALL {
            let v: Value = serde_json::from_str(&body(scheme, &ev)).unwrap();
            assert!(v.is_object(), "{scheme}");
        }
    }
}
