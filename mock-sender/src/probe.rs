//! `hookproof-sender probe`: a battery of deliveries, each built like a real one of the
//! profile (`payload` and `delivery::signed_headers`, signed by `hookproof`), that a
//! receiver must accept or must reject, and a table of what it did.

use std::time::Duration;

use hookproof::{Scheme, Webhook};
use serde_json::json;

use crate::catalog::catalog;
use crate::clock::now_ms;
use crate::delivery::{payload, post, signed_headers, HttpClient, Sent, Target};
use crate::ids::{delivery_id, new_id};
use crate::profile::Profile;
use crate::store::{Kind, Outcome};

/// What a receiver should do with a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Answer 2xx.
    Accept,
    /// Answer non-2xx.
    Reject,
    /// Shown, not judged.
    Report,
}

/// One line of the table.
#[derive(Debug, Clone)]
pub struct Row {
    pub case: String,
    pub expect: Expect,
    /// The status code(s), or why there was none.
    pub answer: String,
    pub ms: u64,
    /// `None` for `Expect::Report`.
    pub pass: Option<bool>,
    pub note: Option<String>,
}

/// Where and how to probe.
pub struct Probe<'a> {
    pub client: &'a HttpClient,
    pub url: &'a str,
    pub profile: Profile,
    pub secret: &'a str,
    pub timeout: Duration,
}

/// The event sent when the catalog has none for the profile.
const EVENT: &str = "order.paid";
const WEBHOOK_ID: &str = "wh_probe";
/// How far off the stale and future timestamps are: twice the usual 5 min tolerance.
const SKEW_SECS: i64 = 600;
const OVERSIZED_BYTES: usize = 1024 * 1024;

/// One request: its body and headers.
struct Request {
    body: String,
    headers: Vec<(String, String)>,
}

impl Probe<'_> {
    /// Sends every case, one after the other. Fails only when the secret cannot sign
    /// for the scheme.
    pub async fn run(&self) -> Result<Vec<Row>, hookproof::Error> {
        let scheme = self.profile.scheme();
        let signer = Webhook::new(scheme, self.secret)?;
        let now = now_ms().div_euclid(1000);
        let mut rows = Vec::new();
        // The catalog's first event of the profile, as its provider sends it.
        let order = payload::Data::Fixture(&[]);

        let valid = self.request(&signer, order, now)?;
        rows.push(self.judge("valid delivery", Expect::Accept, &valid).await);

        if matches!(
            scheme,
            Scheme::Standard | Scheme::Svix | Scheme::Stripe | Scheme::Vector
        ) {
            // A bogus signature first, then the valid one: what a provider sends during
            // a secret rotation.
            let bogus = crate::keys::generate_secret();
            let both = Webhook::with_secrets(scheme, [bogus.as_str(), self.secret])?;
            let r = self.request(&both, order, now)?;
            rows.push(
                self.judge(
                    "several signatures, only the last valid",
                    Expect::Accept,
                    &r,
                )
                .await,
            );
        }

        let mut tampered = self.request(&signer, order, now)?;
        tampered.body = tamper(&tampered.body);
        rows.push(
            self.judge(
                "tampered body (one digit changed)",
                Expect::Reject,
                &tampered,
            )
            .await,
        );

        let other = Webhook::new(scheme, &crate::keys::generate_secret())?;
        let r = self.request(&other, order, now)?;
        rows.push(
            self.judge("signed with another secret", Expect::Reject, &r)
                .await,
        );

        for name in scheme.header_names() {
            let mut r = self.request(&signer, order, now)?;
            r.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
            // Only the headers `hookproof` cannot verify without (X-GitHub-Delivery,
            // say, is read but optional).
            if !matches!(
                signer.verify_at(r.body.as_bytes(), &r.headers, now),
                Err(hookproof::Error::MissingHeader(_))
            ) {
                continue;
            }
            rows.push(
                self.judge(&format!("missing {name}"), Expect::Reject, &r)
                    .await,
            );
        }

        if scheme.is_timestamped() {
            let r = self.request(&signer, order, now - SKEW_SECS)?;
            rows.push(
                self.judge("stale timestamp (signed 10 min ago)", Expect::Reject, &r)
                    .await,
            );
            let r = self.request(&signer, order, now + SKEW_SECS)?;
            rows.push(
                self.judge("future timestamp (10 min ahead)", Expect::Reject, &r)
                    .await,
            );
        }

        let r = self.request(&signer, order, now)?;
        let first = self.send(&r).await;
        let second = self.send(&r).await;
        rows.push(Row {
            case: "the same delivery twice".into(),
            expect: Expect::Report,
            answer: format!("{}, {}", answer(&first), answer(&second)),
            ms: millis(&first) + millis(&second),
            pass: None,
            note: Some(error(&second).unwrap_or_else(|| {
                "the probe cannot see whether it was processed twice: deduplicate on the \
                 delivery (or event) id"
                    .into()
            })),
        });

        let blob = serde_json::value::to_raw_value(
            &json!({"order_id": "ord_probe", "blob": "x".repeat(OVERSIZED_BYTES)}),
        )
        .expect("a serde_json::Value serialises");
        let r = self.request(&signer, payload::Data::Given(&blob), now)?;
        let sent = self.send(&r).await;
        rows.push(Row {
            case: format!("oversized body ({} KiB)", r.body.len() / 1024),
            expect: Expect::Report,
            answer: answer(&sent),
            ms: millis(&sent),
            pass: None,
            note: Some(error(&sent).unwrap_or_else(|| {
                "rejecting it (413) or accepting it are both fine; a timeout is not".into()
            })),
        });
        Ok(rows)
    }

    /// A delivery of the profile with `data`, with a fresh delivery id, signed by
    /// `signer` at `timestamp`.
    fn request(
        &self,
        signer: &Webhook,
        data: payload::Data<'_>,
        timestamp: i64,
    ) -> Result<Request, hookproof::Error> {
        let delivery_id = delivery_id(self.profile.scheme());
        let event_id = new_id("evt");
        let event = self.event();
        let body = payload::body(
            Kind::Http,
            self.profile,
            &payload::Event {
                id: &event_id,
                event_type: event,
                data,
                created_at: timestamp * 1000,
            },
        );
        let request = payload::Request {
            event_type: event,
            event_id: &event_id,
            webhook_id: WEBHOOK_ID,
            created_at: timestamp * 1000,
            attempt: 1,
            retry_reason: None,
        };
        let headers = signed_headers(
            signer,
            self.profile,
            &request,
            &delivery_id,
            body.as_bytes(),
            timestamp,
        )?;
        Ok(Request { body, headers })
    }

    /// The event every case sends: the profile's first in the catalog.
    fn event(&self) -> &'static str {
        catalog()
            .first(self.profile.name())
            .map_or(EVENT, |e| e.event_type.as_str())
    }

    async fn send(&self, r: &Request) -> Sent {
        post(
            self.client,
            Target::Text(self.url),
            &r.headers,
            bytes::Bytes::from(r.body.clone()),
            self.timeout,
        )
        .await
    }

    async fn judge(&self, case: &str, expect: Expect, r: &Request) -> Row {
        let sent = self.send(r).await;
        let pass = match expect {
            Expect::Accept => Some(sent.outcome == Outcome::Success),
            // Only an answer counts as a rejection: a hang-up or a timeout is a fault.
            Expect::Reject => Some(sent.outcome == Outcome::HttpError),
            Expect::Report => None,
        };
        Row {
            case: case.to_owned(),
            expect,
            answer: answer(&sent),
            ms: millis(&sent),
            pass,
            note: error(&sent),
        }
    }
}

/// The status code, or a word for why there is none (`error` has the details).
/// `body` with its first digit changed (`0` -> `1`, any other -> `0`); a `!` appended
/// when it has none.
fn tamper(body: &str) -> String {
    match body.char_indices().find(|(_, c)| c.is_ascii_digit()) {
        Some((i, c)) => {
            let with = if c == '0' { "1" } else { "0" };
            format!("{}{with}{}", &body[..i], &body[i + 1..])
        }
        None => format!("{body}!"),
    }
}

fn answer(sent: &Sent) -> String {
    match (sent.status_code, sent.outcome) {
        (Some(code), _) => code.to_string(),
        (None, Outcome::Timeout) => "timeout".into(),
        (None, _) => "no answer".into(),
    }
}

/// The details of an attempt without an answer.
fn error(sent: &Sent) -> Option<String> {
    sent.status_code
        .is_none()
        .then(|| sent.error.clone())
        .flatten()
}

fn millis(sent: &Sent) -> u64 {
    u64::try_from(sent.duration.as_millis()).unwrap_or(u64::MAX)
}

/// The table, then a summary line naming the failed cases.
pub fn table(url: &str, profile: Profile, rows: &[Row]) -> String {
    let mut out = format!("probe of {} as {profile}\n\n", crate::mask::url(url));
    out.push_str(&format!(
        "{:<6} {:<7} {:<10} {:>7}  case\n",
        "result", "expect", "answer", "time"
    ));
    for row in rows {
        let result = match row.pass {
            Some(true) => "PASS",
            Some(false) => "FAIL",
            None => "info",
        };
        let expect = match row.expect {
            Expect::Accept => "2xx",
            Expect::Reject => "non-2xx",
            Expect::Report => "-",
        };
        out.push_str(&format!(
            "{result:<6} {expect:<7} {:<10} {:>4} ms  {}\n",
            row.answer, row.ms, row.case
        ));
        if let Some(note) = &row.note {
            out.push_str(&format!("{:<34}({note})\n", ""));
        }
    }
    let judged = rows.iter().filter(|r| r.pass.is_some()).count();
    let failed: Vec<&str> = rows
        .iter()
        .filter(|r| r.pass == Some(false))
        .map(|r| r.case.as_str())
        .collect();
    out.push('\n');
    if failed.is_empty() {
        out.push_str(&format!("all {judged} checks passed\n"));
    } else {
        out.push_str(&format!(
            "{} of {judged} checks failed: {}\n",
            failed.len(),
            failed.join("; ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tampered_body_differs_by_one_digit() {
        assert_eq!(tamper(r#"{"amount":4200}"#), r#"{"amount":0200}"#);
        assert_eq!(tamper(r#"{"n":0}"#), r#"{"n":1}"#);
        assert_eq!(tamper("{}"), "{}!");
    }
}
