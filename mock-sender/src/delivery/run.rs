//! One attempt of a delivery: sign, post, judge the answer (throttling, a 410 disabling the
//! webhook), and record the attempt and the delivery after it in one write.

use std::sync::Arc;

use super::engine::Engine;
use super::guards::Slot;
use super::signer::{request_of, sign};
use super::{attempt, scaled_after, schedule, Notice, Sent};
use crate::clock::now_ms;
use crate::ids::new_id;
use crate::store::{AttemptRecord, DeliveryRecord, DeliveryStatus, Outcome, StoreError};

/// What a delivery's last error says after a 410 to the standard profile
/// (`schedule::answer_rule`).
const GONE_DISABLES: &str =
    "410 Gone: the receiver wants no more webhooks, so the webhook is now disabled (Standard Webhooks)";
const GONE_ALREADY: &str =
    "410 Gone: the receiver wants no more webhooks (the webhook was already disabled or deleted)";

impl Engine {
    /// Makes the next attempt of pending delivery `d`, holding `slot` until the answer,
    /// and stores `d` after it; the time of the one after, if any.
    pub(super) async fn attempt(
        self: &Arc<Self>,
        d: &mut DeliveryRecord,
        slot: Slot,
    ) -> Result<Option<i64>, StoreError> {
        // Read on every attempt: an update, a rotation or a deletion applies to the next one.
        let webhook = self.store.shared_webhook(&d.webhook_id)?;
        let number = d.attempts + 1;
        let reason = retry_reason(d);
        let started_at = now_ms();
        let mut headers = Vec::new();
        let mut sent = match &webhook {
            None => {
                self.forget_prepared(&d.webhook_id);
                Sent::not_sent("the webhook was deleted".into())
            }
            // As providers do: disabling an endpoint stops its retries too.
            Some(w) if !w.enabled => Sent::not_sent("the webhook is disabled".into()),
            Some(w) => {
                let prepared = self.prepared(w, started_at);
                let request = request_of(d, &w.id, number, reason);
                match sign(&prepared, d, &request, started_at) {
                    Err(e) => Sent::not_sent(format!("cannot sign: {e}")),
                    Ok(h) => {
                        headers = h;
                        let timeout = prepared.timeout(&self.settings);
                        prepared
                            .post(&self.client, &headers, d.body.bytes(), timeout)
                            .await
                    }
                }
            }
        };
        // The extra requests of the webhook's chaos (below) go out on this attempt's slot,
        // so that --max-in-flight bounds them too; otherwise the slot is free now.
        let extras = sent.outcome != Outcome::Error
            && webhook
                .as_ref()
                .and_then(|w| w.chaos.as_ref())
                .is_some_and(|c| c.sends_extra());
        // Before the slot is given back, or the endpoint's next delivery would start.
        if let Some(throttle) = schedule::throttle(sent.status_code, sent.retry_after) {
            let note = self.throttle(d, throttle);
            if let Some(error) = &mut sent.error {
                error.push_str("; ");
                error.push_str(&note);
            }
        }
        let slot = extras.then_some(slot);
        let now = now_ms();
        let rule = match &webhook {
            Some(w) => schedule::answer_rule(w, d, &mut sent),
            None => schedule::AnswerRule::default(),
        };
        if rule.disable {
            let disabled = self.disable_webhook(&d.webhook_id).await;
            if disabled {
                tracing::warn!(webhook = %d.webhook_id, "410 Gone: webhook disabled (Standard Webhooks)");
            }
            sent.error = Some(
                if disabled {
                    GONE_DISABLES
                } else {
                    GONE_ALREADY
                }
                .into(),
            );
        }
        let next = match sent.outcome {
            Outcome::Success => {
                d.status = DeliveryStatus::Success;
                None
            }
            // Nothing will change on its own: no point retrying.
            Outcome::Error => {
                d.status = DeliveryStatus::Failed;
                None
            }
            _ if rule.last => {
                d.status = DeliveryStatus::Failed;
                None
            }
            _ => match schedule::wait_after(&d.schedule, number, d.max_attempts) {
                Some(wait) => Some(scaled_after(
                    now,
                    wait.max(rule.at_least_ms),
                    self.settings.time_scale,
                )),
                None => {
                    d.status = DeliveryStatus::Failed;
                    None
                }
            },
        };
        d.attempts = number;
        d.next_attempt_at = next;
        d.last_status_code = sent.status_code;
        d.last_error.clone_from(&sent.error);
        d.updated_at = now;
        let url = webhook.as_ref().map(|w| w.url.clone()).unwrap_or_default();
        let record = AttemptRecord {
            next_attempt_at: next,
            ..attempt_record(d, number, url, started_at, sent, headers)
        };
        // The extra requests of the webhook's chaos follow the real attempt.
        let chaos = webhook
            .as_ref()
            .zip(webhook.as_ref().and_then(|w| w.chaos.clone()))
            .filter(|_| extras)
            .map(|(w, c)| (Arc::clone(w), c, record.request_headers.clone()));
        // One transaction for the attempt's log row and the delivery's new state.
        let delivery = Arc::new(d.clone());
        let record = self
            .store
            .record_attempt(Arc::new(record), Some(Arc::clone(&delivery)))
            .await?;
        tracing::info!(
            delivery = %d.id,
            webhook = %d.webhook_id,
            attempt = number,
            outcome = ?record.outcome,
            status = ?record.status_code,
            response_time_ms = record.response_time_ms,
            error = record.error.as_deref().unwrap_or(""),
            final_status = d.status.as_str(),
            "attempt"
        );
        self.notify(|| Notice::Attempt {
            attempt: record,
            delivery,
        });
        if let Some((w, c, headers)) = chaos {
            self.chaos_sends(&w, &c, d, (number, reason), headers)
                .await?;
        }
        drop(slot);
        Ok(next)
    }

    /// Disables webhook `id` (a 410 to a Standard Webhooks delivery), under the webhook
    /// lock; whether it was enabled.
    async fn disable_webhook(&self, id: &str) -> bool {
        self.webhooks.disable(id).await.unwrap_or_else(|e| {
            tracing::error!(error = %e, "cannot disable the webhook");
            false
        })
    }
}

/// Why `d`'s last attempt failed, in Slack's words (`X-Slack-Retry-Reason`), before its
/// next attempt; `None` before its first.
fn retry_reason(d: &DeliveryRecord) -> Option<&'static str> {
    if d.attempts == 0 {
        None
    } else if d.last_status_code.is_some() {
        Some("http_error")
    } else if d
        .last_error
        .as_deref()
        .is_some_and(|e| e.starts_with(attempt::TIMED_OUT))
    {
        Some("http_timeout")
    } else {
        Some("connection_failed")
    }
}

/// The log row of one request sent for delivery `d` (a real attempt or a chaos extra).
pub(super) fn attempt_record(
    d: &DeliveryRecord,
    number: u32,
    url: String,
    started_at: i64,
    sent: Sent,
    request_headers: Vec<(String, String)>,
) -> AttemptRecord {
    AttemptRecord {
        id: new_id("atm"),
        delivery_id: d.id.clone(),
        webhook_id: d.webhook_id.clone(),
        event_type: d.event_type.clone(),
        attempt: number,
        url,
        delivered_at: started_at,
        response_time_ms: u64::try_from(sent.duration.as_millis()).unwrap_or(u64::MAX),
        outcome: sent.outcome,
        status_code: sent.status_code,
        error: sent.error,
        response_body: sent.response_body,
        request_headers,
        response_headers: sent.response_headers,
        next_attempt_at: None,
        chaos: None,
    }
}
