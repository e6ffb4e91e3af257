//! The engine's side of a webhook's chaos (`crate::chaos` holds the settings): the delay
//! before each attempt, and the duplicate, forged and stale requests after it.

use std::sync::Arc;

use hookproof::Webhook;
use rand::rngs::StdRng;
use rand::Rng;

use super::engine::Engine;
use super::run::attempt_record;
use super::signer::{request_of, signed_headers};
use super::Notice;
use crate::chaos::{self, Chaos};
use crate::clock::now_ms;
use crate::store::{AttemptRecord, DeliveryRecord, Outcome, StoreError, WebhookRecord};

impl Engine {
    /// Draws from webhook `w`'s chaos RNG.
    pub(super) fn chaos_draw<T>(
        &self,
        w: &WebhookRecord,
        c: &Chaos,
        f: impl FnOnce(&mut StdRng) -> T,
    ) -> T {
        let mut rngs = self.chaos_rngs.lock().unwrap_or_else(|e| e.into_inner());
        let entry = rngs
            .entry(w.id.clone())
            .or_insert_with(|| (c.clone(), chaos::rng(c, self.settings.chaos_seed, &w.id)));
        if entry.0 != *c {
            *entry = (c.clone(), chaos::rng(c, self.settings.chaos_seed, &w.id));
        }
        f(&mut entry.1)
    }

    /// How long (ms) the next attempt to webhook `webhook_id` waits for its `delay_ms` /
    /// `reorder`; 0 without them.
    pub(super) fn chaos_hold(&self, webhook_id: &str) -> u64 {
        let Some(w) = self.store.shared_webhook(webhook_id).ok().flatten() else {
            return 0;
        };
        let Some(c) = w.chaos.clone() else {
            return 0;
        };
        let Some([min, max]) = c.delay_range() else {
            return 0;
        };
        let delay = self.chaos_draw(&w, &c, |rng| rng.gen_range(min..=max.max(min)));
        if c.reorder {
            return delay;
        }
        // In order: never released before an earlier attempt to the same endpoint.
        let now = now_ms();
        let mut release = self.chaos_release.lock().unwrap_or_else(|e| e.into_inner());
        let last = release.entry(w.id.clone()).or_insert(0);
        let at = (now + i64::try_from(delay).unwrap_or(i64::MAX)).max(*last + 1);
        *last = at;
        u64::try_from(at - now).unwrap_or(0)
    }

    /// After attempt `number` of `d`: the duplicate, forged and stale requests the
    /// webhook's chaos draws, each sent and logged; the delivery is left as it is.
    pub(super) async fn chaos_sends(
        &self,
        w: &Arc<WebhookRecord>,
        c: &Chaos,
        d: &DeliveryRecord,
        (number, reason): (u32, Option<&'static str>),
        headers: Vec<(String, String)>,
    ) -> Result<(), StoreError> {
        let scheme = w.profile.scheme();
        let request = request_of(d, &w.id, number, reason);
        let (duplicate, forged, stale) = self.chaos_draw(w, c, |rng| {
            (
                chaos::chance(rng, c.duplicate),
                chaos::chance(rng, c.forge_signature),
                chaos::chance(rng, c.stale_timestamp),
            )
        });
        let now = now_ms();
        let secs = now.div_euclid(1000);
        let mut sends = Vec::new();
        if duplicate && !headers.is_empty() {
            sends.push((chaos::Kind::Duplicate, Ok(headers)));
        }
        if forged {
            // A key the receiver cannot have: a fresh random secret.
            let wrong = crate::keys::generate_secret();
            let h = Webhook::new(scheme, &wrong).and_then(|signer| {
                signed_headers(&signer, w.profile, &request, &d.id, d.body.as_bytes(), secs)
            });
            sends.push((chaos::Kind::Forged, h));
        }
        let prepared = self.prepared(w, now);
        if stale && scheme.is_timestamped() {
            if let Ok(signer) = &prepared.signer {
                let at = secs - chaos::STALE_SECS;
                let h = signed_headers(signer, w.profile, &request, &d.id, d.body.as_bytes(), at);
                sends.push((chaos::Kind::Stale, h));
            }
        }
        for (kind, headers) in sends {
            let Ok(headers) = headers else {
                continue;
            };
            let started_at = now_ms();
            let timeout = prepared.timeout(&self.settings);
            let sent = prepared
                .post(&self.client, &headers, d.body.bytes(), timeout)
                .await;
            let expect = kind.expect();
            let accepted_bad = expect == chaos::Expect::Reject && sent.outcome == Outcome::Success;
            let (outcome, error) = match (kind, sent.outcome) {
                (chaos::Kind::Duplicate, o) => (o, sent.error.clone()),
                (chaos::Kind::Forged, Outcome::Success) => (
                    Outcome::AcceptedForgery,
                    Some("accepted a request signed with a wrong key: it must be rejected".into()),
                ),
                (chaos::Kind::Stale, Outcome::Success) => (
                    Outcome::AcceptedStale,
                    Some(format!(
                        "accepted a replay signed {} s ago: it must be rejected",
                        chaos::STALE_SECS
                    )),
                ),
                (_, Outcome::HttpError) => (Outcome::Rejected, None),
                (_, o) => (o, sent.error.clone()),
            };
            let record = AttemptRecord {
                outcome,
                error,
                chaos: Some(chaos::Sent {
                    kind,
                    expect,
                    receiver_accepted_bad: accepted_bad,
                }),
                ..attempt_record(d, number, w.url.clone(), started_at, sent, headers)
            };
            let record = self.store.record_attempt(Arc::new(record), None).await?;
            if accepted_bad {
                tracing::warn!(
                    delivery = %d.id,
                    webhook = %d.webhook_id,
                    chaos = ?kind,
                    status = ?record.status_code,
                    "the receiver accepted a request it must reject"
                );
            } else {
                tracing::info!(
                    delivery = %d.id,
                    webhook = %d.webhook_id,
                    chaos = ?kind,
                    outcome = ?record.outcome,
                    status = ?record.status_code,
                    "chaos request"
                );
            }
            self.notify(|| Notice::Attempt {
                attempt: record,
                delivery: Arc::new(d.clone()),
            });
        }
        Ok(())
    }
}
