//! The inbox's records as the store keeps them: an inbox's settings, and each request
//! captured with its verification, conformance checks, forward and replays. The rules
//! that make them live in `crate::inbox`; the store only keeps them.

use base64::Engine as _;
use hookproof::{Scheme, Webhook};
use serde::{Deserialize, Serialize};

use crate::mask;

/// An inbox's settings. The secrets are never served: see `InboxView`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InboxConfig {
    pub name: String,
    /// The scheme captures are verified and checked against, by name.
    #[serde(default, with = "scheme_name")]
    pub scheme: Option<Scheme>,
    #[serde(default)]
    pub secrets: Vec<String>,
    pub tolerance_seconds: u64,
    #[serde(default)]
    pub forward_to: Option<String>,
    pub respond_with: Respond,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What `/in/{name}` answers the sender.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Respond {
    pub status: u16,
    #[serde(default)]
    pub body: String,
}

impl Default for Respond {
    fn default() -> Respond {
        Respond {
            status: 200,
            body: String::new(),
        }
    }
}

impl InboxConfig {
    /// What an inbox never configured does: capture, answer 200, nothing else.
    pub fn unconfigured(name: &str) -> InboxConfig {
        InboxConfig {
            name: name.to_owned(),
            scheme: None,
            secrets: vec![],
            tolerance_seconds: hookproof::DEFAULT_TOLERANCE_SECS,
            forward_to: None,
            respond_with: Respond::default(),
            created_at: 0,
            updated_at: 0,
        }
    }

    /// The verifier (and signer) of the inbox's scheme and secrets, if it has both.
    pub fn webhook(&self) -> Option<Result<Webhook, hookproof::Error>> {
        let scheme = self.scheme?;
        if self.secrets.is_empty() {
            return None;
        }
        Some(
            Webhook::with_secrets(scheme, self.secrets.iter().map(String::as_str))
                .map(|w| w.with_tolerance(self.tolerance_seconds)),
        )
    }
}

mod scheme_name {
    use hookproof::Scheme;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(scheme: &Option<Scheme>, s: S) -> Result<S::Ok, S::Error> {
        match scheme {
            Some(scheme) => s.serialize_str(scheme.name()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Scheme>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|name| name.parse().map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// One request received at `/in/{name}`, as it came.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Capture {
    pub id: String,
    pub inbox: String,
    pub method: String,
    /// The path as requested (`/in/{name}` and anything below it).
    pub path: String,
    /// The query string as sent, without `?`.
    pub query: Option<String>,
    /// Every header in the order received, repeats kept (names lower-case, as hyper reads
    /// them; a repeated header's values follow its first one).
    pub headers: Vec<(String, String)>,
    /// The exact body, base64.
    pub body_base64: String,
    /// The body as text, when it is UTF-8.
    pub body: Option<String>,
    /// Unix milliseconds.
    pub received_at: i64,
    pub remote_addr: Option<String>,
    /// The status answered.
    pub status: u16,
    /// With a scheme and secret: whether it verifies, and the doctor's findings if not.
    pub verification: Option<Verification>,
    /// The sender rules of the inbox's scheme (or the one its headers name).
    pub conformance: Vec<Check>,
    /// The scheme `conformance` checked against.
    pub scheme: Option<String>,
    /// The delivery id the request carries under that scheme (`conformance::delivery_id`).
    #[serde(default)]
    pub delivery_id: Option<String>,
    /// The forward to `forward_to`, once answered.
    pub forward: Option<Forwarded>,
    /// Every replay, oldest first.
    #[serde(default)]
    pub replays: Vec<Forwarded>,
}

impl Capture {
    /// The capture as it may be shown: the credentials of the request, in its headers and
    /// its query (and of its forward and replays), masked (`mask`).
    pub fn shown(&self) -> Capture {
        Capture {
            headers: mask::headers(&self.headers),
            query: self.query.as_deref().map(mask::query),
            forward: self.forward.as_ref().map(Forwarded::shown),
            replays: self.replays.iter().map(Forwarded::shown).collect(),
            ..self.clone()
        }
    }

    pub fn body_bytes(&self) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD
            .decode(&self.body_base64)
            .unwrap_or_default()
    }

    /// The headers as the verifier reads them: a repeated header's values joined by ", ".
    pub fn joined_headers(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::with_capacity(self.headers.len());
        for (name, value) in &self.headers {
            match out.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
                Some((_, v)) => {
                    v.push_str(", ");
                    v.push_str(value);
                }
                None => out.push((name.clone(), value.clone())),
            }
        }
        out
    }
}

/// `Webhook::diagnose`'s report, as stored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Verification {
    pub verified: bool,
    pub code: Option<String>,
    pub message: Option<String>,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Finding {
    pub kind: String,
    pub message: String,
}

impl Verification {
    pub(crate) fn of(
        webhook: &Webhook,
        body: &[u8],
        headers: &[(String, String)],
        now: i64,
    ) -> Verification {
        let d = webhook.diagnose(body, headers, now);
        Verification {
            verified: d.verified,
            code: d.code.map(str::to_owned),
            message: d.message,
            findings: d
                .findings
                .into_iter()
                .map(|f| Finding {
                    kind: f.kind.to_owned(),
                    message: f.message,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    /// The rule does not apply (no timestamp in the scheme), or an earlier failure hides it.
    Skip,
}

/// One rule's result for one capture.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Check {
    pub rule: String,
    pub status: Status,
    pub detail: String,
}

/// The delivery id a sender of `scheme` gives: its id header's value (as the verifier
/// reads it), or for schemes without one the JSON body's top-level `"id"` (Stripe's event
/// ids).
pub fn delivery_id(scheme: Scheme, headers: &[(String, String)], body: &[u8]) -> Option<String> {
    let from_header = scheme.read(headers).ok().and_then(|r| r.id);
    from_header.or_else(|| {
        serde_json::from_slice::<serde_json::Value>(body)
            .ok()?
            .get("id")?
            .as_str()
            .map(str::to_owned)
    })
}

/// One forward or replay and its answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Forwarded {
    pub url: String,
    /// Unix milliseconds.
    pub sent_at: i64,
    pub resigned: bool,
    /// The headers sent.
    pub headers: Vec<(String, String)>,
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub response_time_ms: u64,
    /// The first 4 KiB of the answer.
    pub response_body: Option<String>,
}

impl Forwarded {
    /// As it may be shown: the credentials in its URL and among the headers sent masked.
    pub fn shown(&self) -> Forwarded {
        Forwarded {
            url: mask::url(&self.url),
            headers: mask::headers(&self.headers),
            ..self.clone()
        }
    }
}
