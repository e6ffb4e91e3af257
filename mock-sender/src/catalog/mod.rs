//! The event catalog: for each profile, the events its provider sends, each with a
//! realistic example payload, its JSON Schema, a one-line description and the headers
//! the provider adds besides the signature. The data lives in `mock-sender/catalog/`
//! (`<profile>/_profile.json` for what every event of a profile shares, one file per
//! event beside it), built into the binary; this module only loads it.
//!
//! `standard` and `svix` have no events of their own: they offer the events of the profiles
//! their `_profile.json` lists in `envelops`, each event's data in the Standard Webhooks
//! envelope.

mod edit;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub use edit::{parse_override, Override, OverrideError};

#[derive(rust_embed::Embed)]
#[folder = "catalog/"]
#[include = "*.json"]
struct Files;

/// What every event of one profile shares (`<profile>/_profile.json`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileFile {
    #[serde(skip_deserializing)]
    pub name: String,
    pub description: String,
    /// Where an event's own data sits in a body, as a dotted path; `""`: the whole body.
    pub data: String,
    /// What each delivery makes fresh in the payload: a path, and `event_id`, `unix`,
    /// `unix_ms`, `rfc3339` or `challenge`.
    pub fresh: BTreeMap<String, Fresh>,
    /// Headers besides the signature, in the order sent. Values may hold `{event}`,
    /// `{event_id}`, `{created_at}` (RFC 3339), `{hook_number}` (a number made from the
    /// webhook's id) and `{version}` (the sender's).
    #[serde(deserialize_with = "header_map")]
    pub headers: Vec<(String, String)>,
    /// For a profile without events of its own (`standard`, `svix`): the profiles whose
    /// events it sends in the Standard Webhooks envelope, in order: the first profile with
    /// an event name gives its data. (The npm package's event types read the same list.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub envelops: Vec<String>,
    /// The event a test delivery (`POST /v1/webhooks/{id}/test`) sends: the provider's own
    /// test event where it has one (GitHub's `ping`), else its most common event.
    pub test_event: String,
}

/// A value each delivery makes anew.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fresh {
    EventId,
    Unix,
    UnixMs,
    Rfc3339,
    Challenge,
}

/// One event of one profile.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    #[serde(skip_deserializing)]
    pub profile: String,
    pub event_type: String,
    pub description: String,
    /// The profile's headers, then any of the event's own.
    #[serde(default, deserialize_with = "header_map")]
    pub headers: Vec<(String, String)>,
    pub schema: Value,
    pub payload: Value,
}

/// Headers written as a JSON object, in name order.
fn header_map<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
    Ok(BTreeMap::<String, String>::deserialize(d)?
        .into_iter()
        .collect())
}

/// Every profile and event.
pub struct Catalog {
    profiles: Vec<ProfileFile>,
    entries: Vec<Entry>,
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| load().unwrap_or_else(|e| panic!("{e}")));

/// The catalog built into the binary.
pub fn catalog() -> &'static Catalog {
    &CATALOG
}

fn load() -> Result<Catalog, String> {
    let mut profiles = Vec::new();
    let mut entries = Vec::new();
    let read = |path: &str| -> Result<Vec<u8>, String> {
        Ok(Files::get(path)
            .ok_or_else(|| format!("catalog/{path}: missing"))?
            .data
            .into_owned())
    };
    let mut paths: Vec<String> = Files::iter().map(|p| p.into_owned()).collect();
    paths.sort();
    for path in &paths {
        let (dir, file) = path
            .split_once('/')
            .ok_or_else(|| format!("catalog/{path}: not in a profile's folder"))?;
        let bad = |e: serde_json::Error| format!("catalog/{path}: {e}");
        if file == "_profile.json" {
            let mut p: ProfileFile = serde_json::from_slice(&read(path)?).map_err(bad)?;
            p.name = dir.to_owned();
            profiles.push(p);
        } else {
            let mut e: Entry = serde_json::from_slice(&read(path)?).map_err(bad)?;
            e.profile = dir.to_owned();
            entries.push(e);
        }
    }
    for e in &mut entries {
        let p = profiles
            .iter()
            .find(|p| p.name == e.profile)
            .ok_or_else(|| format!("catalog/{}: no _profile.json", e.profile))?;
        e.headers = p
            .headers
            .iter()
            .cloned()
            .chain(e.headers.drain(..))
            .collect();
    }
    for p in &profiles {
        let source = |e: &Entry| e.event_type == p.test_event;
        let found = entries.iter().any(|e| e.profile == p.name && source(e))
            || p.envelops
                .iter()
                .any(|s| entries.iter().any(|e| e.profile == *s && source(e)));
        if !found {
            return Err(format!(
                "catalog/{}: test_event {} is not one of its events",
                p.name, p.test_event
            ));
        }
    }
    let mut enveloped = Vec::new();
    for p in profiles.iter().filter(|p| !p.envelops.is_empty()) {
        let name = p.name.as_str();
        for source in &p.envelops {
            if !entries.iter().any(|e| &e.profile == source) {
                return Err(format!(
                    "catalog/{name}/_profile.json: envelops {source}, a profile without events"
                ));
            }
            for e in entries.iter().filter(|e| &e.profile == source) {
                let taken = enveloped
                    .iter()
                    .any(|t: &Entry| t.profile == name && t.event_type == e.event_type);
                if !taken {
                    enveloped.push(standard_entry(&profiles, p, e));
                }
            }
        }
    }
    entries.extend(enveloped);
    Ok(Catalog { profiles, entries })
}

/// Event `e` of another profile as profile `p` (Standard Webhooks) sends it.
fn standard_entry(profiles: &[ProfileFile], p: &ProfileFile, e: &Entry) -> Entry {
    let data_path = profiles
        .iter()
        .find(|s| s.name == e.profile)
        .map_or("", |s| s.data.as_str());
    let data = edit::get(&e.payload, data_path)
        .unwrap_or(&e.payload)
        .clone();
    let data_schema = edit::schema_at(&e.schema, data_path)
        .unwrap_or(&e.schema)
        .clone();
    Entry {
        profile: p.name.clone(),
        event_type: e.event_type.clone(),
        description: e.description.clone(),
        headers: p.headers.clone(),
        schema: json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "title": format!("{} {}", p.name, e.event_type),
            "type": "object",
            "required": ["type", "timestamp", "data"],
            "properties": {
                "type": { "const": e.event_type },
                "timestamp": { "type": "string", "format": "date-time" },
                "data": data_schema,
            },
        }),
        payload: json!({
            "type": e.event_type,
            "timestamp": "2025-12-05T14:30:00.000Z",
            "data": data,
        }),
    }
}

/// What a delivery of a fixture is made of besides the fixture.
pub struct Fill<'a> {
    pub event_id: &'a str,
    /// Unix milliseconds.
    pub created_at: i64,
}

impl Catalog {
    pub fn profiles(&self) -> &[ProfileFile] {
        &self.profiles
    }

    pub fn profile(&self, name: &str) -> Option<&ProfileFile> {
        self.profiles.iter().find(|p| p.name == name)
    }

    /// Every event of `profile` (every profile's if `None`), in name order per profile.
    pub fn entries<'a>(&'a self, profile: Option<&'a str>) -> impl Iterator<Item = &'a Entry> {
        self.entries
            .iter()
            .filter(move |e| profile.is_none_or(|p| e.profile == p))
    }

    pub fn entry(&self, profile: &str, event: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.profile == profile && e.event_type == event)
    }

    /// The first event of `profile`: the one a probe sends.
    pub fn first(&self, profile: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.profile == profile)
    }

    /// The event a test delivery to a webhook of `profile` sends (its `test_event`).
    pub fn test_event(&self, profile: &str) -> Option<&Entry> {
        self.entry(profile, &self.profile(profile)?.test_event)
    }

    /// The data part of event `event` of `profile` (where its profile puts data).
    pub fn data_of(&self, profile: &str, event: &str) -> Option<&Value> {
        Some(self.data_in(profile, &self.entry(profile, event)?.payload))
    }

    /// The data part of `body`, a body of `profile`.
    pub fn data_in<'a>(&self, profile: &str, body: &'a Value) -> &'a Value {
        let path = self.profile(profile).map_or("", |p| p.data.as_str());
        edit::get(body, path).unwrap_or(body)
    }

    /// Whether `overrides` edit event `event` of `profile`: the catalog has the event, and
    /// its body every path.
    pub fn check_overrides(
        &self,
        profile: &str,
        event: &str,
        overrides: &[Override],
    ) -> Result<(), OverrideError> {
        let fill = Fill {
            event_id: "evt_check",
            created_at: 0,
        };
        match self.body(profile, event, &fill, overrides) {
            Some(edited) => edited.map(drop),
            None => Err(OverrideError::NoFixture {
                profile: profile.to_owned(),
                event: event.to_owned(),
            }),
        }
    }

    /// The body of event `event` of `profile` as one delivery sends it: the fixture with
    /// fresh ids and times, then `overrides`. `None` if the catalog has no such event.
    pub fn body(
        &self,
        profile: &str,
        event: &str,
        fill: &Fill<'_>,
        overrides: &[Override],
    ) -> Option<Result<Value, OverrideError>> {
        let e = self.entry(profile, event)?;
        let p = self.profile(profile)?;
        let mut body = e.payload.clone();
        for (path, fresh) in &p.fresh {
            if let Some(slot) = edit::get_mut(&mut body, path) {
                *slot = match fresh {
                    Fresh::EventId => json!(fill.event_id),
                    Fresh::Unix => json!(fill.created_at.div_euclid(1000)),
                    Fresh::UnixMs => json!(fill.created_at),
                    Fresh::Rfc3339 => json!(crate::clock::rfc3339(fill.created_at)),
                    Fresh::Challenge => json!(ulid::Ulid::new().to_string()),
                };
            }
        }
        Some(edit::apply(&mut body, overrides).map(|()| body))
    }
}

impl ProfileFile {
    /// The profile's headers for one request, placeholders filled.
    pub fn headers_for(
        &self,
        event: &str,
        event_id: &str,
        webhook_id: &str,
        created_at: i64,
    ) -> Vec<(&str, String)> {
        self.headers
            .iter()
            .map(|(name, value)| {
                let mut v = value.clone();
                for (key, with) in [
                    ("{event}", event),
                    ("{event_id}", event_id),
                    ("{version}", env!("CARGO_PKG_VERSION")),
                ] {
                    v = v.replace(key, with);
                }
                if v.contains("{created_at}") {
                    v = v.replace("{created_at}", &crate::clock::rfc3339(created_at));
                }
                if v.contains("{hook_number}") {
                    v = v.replace("{hook_number}", &hook_number(webhook_id).to_string());
                }
                (name.as_str(), v)
            })
            .collect()
    }
}

/// A stable number for a webhook id, as GitHub numbers its hooks (9 digits).
fn hook_number(webhook_id: &str) -> u64 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(webhook_id.as_bytes());
    let n = u64::from_be_bytes(digest[..8].try_into().unwrap_or_default());
    100_000_000 + n % 900_000_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_and_the_issues_events_are_there() {
        let c = catalog();
        for p in [
            "stripe", "github", "vercel", "vector", "vectorco", "generic", "shopify", "slack",
            "standard", "svix",
        ] {
            assert!(c.profile(p).is_some(), "{p}");
            assert!(c.first(p).is_some(), "{p} has events");
        }
        for (p, e) in [
            ("stripe", "invoice.paid"),
            ("github", "push"),
            ("shopify", "orders/create"),
            ("slack", "url_verification"),
            ("standard", "invoice.paid"),
            ("svix", "push"),
        ] {
            assert!(c.entry(p, e).is_some(), "{p} {e}");
        }
        let std = c.entry("standard", "invoice.paid").unwrap();
        assert_eq!(std.payload["data"]["object"], "invoice");
    }

    #[test]
    fn a_body_gets_fresh_ids_and_times_then_the_overrides() {
        let fill = Fill {
            event_id: "evt_fresh",
            created_at: 1_700_000_000_123,
        };
        let o = [parse_override("data.object.amount_paid=5000").unwrap()];
        let body = catalog()
            .body("stripe", "invoice.paid", &fill, &o)
            .unwrap()
            .unwrap();
        assert_eq!(body["id"], "evt_fresh");
        assert_eq!(body["created"], 1_700_000_000);
        assert_eq!(body["data"]["object"]["amount_paid"], 5000);
        let bad = [parse_override("data.object.nope.deeper=1").unwrap()];
        let err = catalog()
            .body("stripe", "invoice.paid", &fill, &bad)
            .unwrap()
            .unwrap_err();
        assert!(err.to_string().contains("data.object.nope"), "{err}");
    }

    #[test]
    fn github_hook_numbers_are_stable_and_numeric() {
        let n = hook_number("wh_01ABC");
        assert_eq!(n, hook_number("wh_01ABC"));
        assert_eq!(n.to_string().len(), 9);
    }
}
