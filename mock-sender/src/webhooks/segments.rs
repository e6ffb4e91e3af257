//! Vector.co's segments (its "Channels"): a webhook that lists `segments` gets an event
//! whose data names a segment (`segment.id`, as Vector.co's contact and company events do)
//! only when it lists that segment. An event naming none, and every event to a webhook
//! listing none, goes as its `events` say.

use std::cell::OnceCell;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::{invalid, Error};
use crate::catalog::{catalog, Fill, Override};
use crate::profile::Profile;
use crate::store::WebhookRecord;

/// Bounds on a webhook's `segments`: how many, and each id's length.
const MAX_SEGMENTS: usize = 100;
const MAX_SEGMENT_LEN: usize = 128;

/// A webhook's `segments`: at most 100 ids of 1-128 visible ASCII characters, each once.
pub fn check_segments(segments: &[String]) -> Result<(), Error> {
    if segments.len() > MAX_SEGMENTS {
        return Err(invalid(
            "segments",
            format!("segments lists at most {MAX_SEGMENTS} segment ids"),
        ));
    }
    for (i, s) in segments.iter().enumerate() {
        let field = format!("segments[{i}]");
        if s.is_empty() || s.len() > MAX_SEGMENT_LEN || !s.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid(
                &field,
                format!("a segment id is 1 to {MAX_SEGMENT_LEN} visible ASCII characters, like segment_12345"),
            ));
        }
        if segments[..i].contains(s) {
            return Err(invalid(&field, format!("segment `{s}` is listed twice")));
        }
    }
    Ok(())
}

/// The segment one event names, as each webhook's profile gets it: the given data's
/// (read once, when a webhook lists segments), else the catalog example's for the profile
/// as `overrides` edit it.
pub struct EventSegment<'a> {
    event_type: &'a str,
    given: Option<&'a RawValue>,
    overrides: &'a [Override],
    read: OnceCell<Option<String>>,
}

impl<'a> EventSegment<'a> {
    pub fn new(
        event_type: &'a str,
        given: Option<&'a RawValue>,
        overrides: &'a [Override],
    ) -> Self {
        EventSegment {
            event_type,
            given,
            overrides,
            read: OnceCell::new(),
        }
    }

    /// Whether the event goes to `w` as far as segments go.
    pub fn admits(&self, w: &WebhookRecord) -> bool {
        w.segments.is_empty() || w.takes_segment(self.of(w.profile).as_deref())
    }

    fn of(&self, profile: Profile) -> Option<String> {
        match self.given {
            Some(raw) => self.read.get_or_init(|| given_segment(raw)).clone(),
            None if self.overrides.is_empty() => catalog()
                .data_of(profile.name(), self.event_type)
                .and_then(segment_id),
            None => {
                let c = catalog();
                let fill = Fill {
                    event_id: "evt_segment",
                    created_at: 0,
                };
                let body = c.body(profile.name(), self.event_type, &fill, self.overrides)?;
                segment_id(c.data_in(profile.name(), &body.ok()?))
            }
        }
    }
}

/// `segment.id` of given data, read without building the rest of it.
fn given_segment(raw: &RawValue) -> Option<String> {
    #[derive(Deserialize)]
    struct Named {
        segment: Option<Segment>,
    }
    #[derive(Deserialize)]
    struct Segment {
        id: Option<Value>,
    }
    let named: Named = serde_json::from_str(raw.get()).ok()?;
    named.segment?.id?.as_str().map(str::to_owned)
}

fn segment_id(data: &Value) -> Option<String> {
    data.get("segment")?.get("id")?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(segments: &[&str]) -> WebhookRecord {
        WebhookRecord {
            profile: Profile::VectorCo,
            segments: segments.iter().map(|s| (*s).to_owned()).collect(),
            ..crate::store::fixtures::webhook("wh_1")
        }
    }

    #[test]
    fn a_webhook_with_segments_gets_the_events_of_those_segments() {
        let raw = |s: &str| RawValue::from_string(s.to_owned()).unwrap();
        let ours = raw(r#"{"event":"contact.visited","segment":{"id":"segment_1","name":"a"}}"#);
        let theirs = raw(r#"{"event":"contact.visited","segment":{"id":"segment_2"}}"#);
        let none = raw(r#"{"event":"user.created"}"#);
        let w = listing(&["segment_1"]);
        let every = listing(&[]);
        let admits = |data: &RawValue, w: &WebhookRecord| {
            EventSegment::new("contact.visited", Some(data), &[]).admits(w)
        };
        assert!(admits(&ours, &w));
        assert!(!admits(&theirs, &w));
        assert!(
            admits(&none, &w),
            "an event naming no segment is not filtered"
        );
        assert!(admits(&theirs, &every), "no segments: every segment");
        // Without data: the catalog's example (segment_12345).
        let example = EventSegment::new("contact.visited", None, &[]);
        assert!(example.admits(&listing(&["segment_12345"])));
        assert!(!example.admits(&w));
        // The example as overrides edit it.
        let o = [crate::catalog::parse_override("segment.id=segment_1").unwrap()];
        let edited = EventSegment::new("contact.visited", None, &o);
        assert!(edited.admits(&w));
        assert!(!edited.admits(&listing(&["segment_12345"])));
    }

    #[test]
    fn segment_lists_are_checked() {
        assert!(check_segments(&["segment_1".into(), "segment_2".into()]).is_ok());
        for (bad, field) in [
            (vec![String::new()], "segments[0]"),
            (vec!["a".into(), "b c".into()], "segments[1]"),
            (vec!["a".into(), "a".into()], "segments[1]"),
            (vec!["s".into(); 101], "segments"),
        ] {
            match check_segments(&bad) {
                Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }
}
