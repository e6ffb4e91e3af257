//! How deliveries enter the engine: an event's deliveries made and stored, pending ones
//! resumed after a restart, and manual retries.

use std::sync::Arc;

use super::engine::Engine;
use super::{payload, profile_default, scaled_after, Notice};
use crate::clock::now_ms;
use crate::ids::delivery_id;
use crate::profile::Profile;
use crate::store::{Body, DeliveryRecord, DeliveryStatus, Kind, Query, StoreError, WebhookRecord};

impl Engine {
    /// Stores a delivery of one event to one endpoint and starts it.
    pub async fn enqueue(
        self: &Arc<Self>,
        webhook: &WebhookRecord,
        event_id: &str,
        event_type: &str,
        data: payload::Data<'_>,
    ) -> Result<DeliveryRecord, StoreError> {
        let mut all = self
            .enqueue_all(&[webhook], event_id, event_type, data)
            .await?;
        Ok(all.remove(0))
    }

    /// Stores one event's deliveries to `webhooks` in one transaction, then starts them.
    pub async fn enqueue_all(
        self: &Arc<Self>,
        webhooks: &[&WebhookRecord],
        event_id: &str,
        event_type: &str,
        data: payload::Data<'_>,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        let now = now_ms();
        let event = payload::Event {
            id: event_id,
            event_type,
            data,
            created_at: now,
        };
        // The body depends only on the event and the webhook's kind and profile: made once
        // for each pair and shared by those deliveries' records.
        let mut bodies: Vec<((Kind, Profile), Body)> = Vec::new();
        let deliveries: Vec<DeliveryRecord> = webhooks
            .iter()
            .map(|w| {
                let profile = w.profile;
                let key = (w.kind, profile);
                let body = match bodies.iter().find(|(k, _)| *k == key) {
                    Some((_, body)) => body.clone(),
                    None => {
                        let body = Body::from(payload::body(w.kind, profile, &event));
                        bodies.push((key, body.clone()));
                        body
                    }
                };
                self.new_delivery(w, profile, &event, body)
            })
            .collect();
        let deliveries = self.store.put_deliveries(deliveries).await?;
        for d in &deliveries {
            self.notify(|| Notice::Delivery(d.clone()));
        }
        self.with_state(|state| {
            for d in &deliveries {
                self.start(state, d.clone());
            }
        });
        Ok(deliveries)
    }

    /// A new pending delivery of `event` to `webhook` (of `profile`) with `body`:
    /// its schedule and first time.
    fn new_delivery(
        &self,
        webhook: &WebhookRecord,
        profile: Profile,
        event: &payload::Event<'_>,
        body: Body,
    ) -> DeliveryRecord {
        let now = event.created_at;
        let schedule = webhook
            .retry_schedule
            .clone()
            .unwrap_or_else(|| profile_default(profile));
        let first = scaled_after(
            now,
            schedule.first().copied().unwrap_or(0),
            self.settings.time_scale,
        );
        DeliveryRecord {
            id: delivery_id(profile.scheme()),
            webhook_id: webhook.id.clone(),
            event_id: event.id.to_owned(),
            event_type: event.event_type.to_owned(),
            body,
            status: DeliveryStatus::Pending,
            attempts: 0,
            max_attempts: u32::try_from(schedule.len()).unwrap_or(u32::MAX),
            schedule,
            next_attempt_at: Some(first),
            last_status_code: None,
            last_error: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// Restarts every pending delivery found in the store (after a restart).
    pub async fn resume(self: &Arc<Self>) -> Result<usize, StoreError> {
        let pending = self
            .store
            .deliveries(&Query {
                status: Some(DeliveryStatus::Pending),
                limit: Some(u32::MAX),
                ..Query::default()
            })
            .await?;
        let count = pending.len();
        self.with_state(|state| {
            // Oldest first, as they were queued before the restart (the listing is
            // newest first).
            for d in pending.into_iter().rev() {
                self.start(state, d);
            }
        });
        Ok(count)
    }

    /// One more attempt now: a pending delivery's wait is cut short; a finished one gets
    /// an extra attempt. An attempt on the wire is not cut off: it ends and is logged, and
    /// the retry follows it.
    pub async fn retry(self: &Arc<Self>, id: &str) -> Result<Option<DeliveryRecord>, StoreError> {
        enum Turn {
            /// Taken out of the queue: this call rewrites and restarts it.
            Mine,
            /// On the wire, or being retried already: that settles it.
            Later,
        }
        let turn = self.with_state(|state| {
            if state.running.contains_key(id) {
                state.retry_after.insert(id.into());
                Turn::Later
            } else if !state.retrying.insert(id.into()) {
                Turn::Later
            } else {
                // Out of the queue, so no attempt starts while the record is rewritten.
                state.queue.remove(id);
                Turn::Mine
            }
        });
        if let Turn::Later = turn {
            return self.store.delivery(id).await;
        }
        let rewritten = self.rewrite_for_retry(id).await;
        self.with_state(|state| {
            state.retrying.remove(id);
            if let Ok(Some(d)) = &rewritten {
                self.start(state, d.clone());
            }
        });
        rewritten
    }

    /// Delivery `id`, stored as due now (pending again, with one more attempt allowed when
    /// it had finished).
    async fn rewrite_for_retry(&self, id: &str) -> Result<Option<DeliveryRecord>, StoreError> {
        let Some(mut d) = self.store.delivery(id).await? else {
            return Ok(None);
        };
        let now = now_ms();
        if d.status != DeliveryStatus::Pending {
            d.status = DeliveryStatus::Pending;
            d.max_attempts = d.attempts + 1;
        }
        d.next_attempt_at = Some(now);
        d.updated_at = now;
        self.store.put_delivery(d.clone()).await?;
        Ok(Some(d))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::delivery::{HttpClient, Settings};

    #[tokio::test]
    async fn an_events_deliveries_of_one_profile_share_one_body() {
        let store = crate::store::Db::sqlite_in_memory();
        let settings = Settings {
            time_scale: 1.0,
            attempt_timeout: Some(Duration::from_secs(1)),
            max_in_flight: 1,
            chaos_seed: None,
        };
        let client = HttpClient::new(rustls::RootCertStore::empty()).unwrap();
        let webhooks = Arc::new(crate::webhooks::Webhooks::new(store, false));
        let engine = Engine::new(webhooks, client, settings).unwrap();
        let standard = |id: &str| WebhookRecord {
            // Attempts start only after a minute: this test looks at the records alone.
            retry_schedule: Some(vec![60_000]),
            ..crate::store::fixtures::webhook(id)
        };
        let (a, b) = (standard("wh_a"), standard("wh_b"));
        let stripe = WebhookRecord {
            profile: Profile::Stripe,
            ..standard("wh_c")
        };
        let data = serde_json::value::to_raw_value(&serde_json::json!({ "n": 1 })).unwrap();
        let ds = engine
            .enqueue_all(
                &[&a, &b, &stripe],
                "evt_1",
                "a.b",
                payload::Data::Given(&data),
            )
            .await
            .unwrap();
        assert_eq!(ds[0].body.as_ptr(), ds[1].body.as_ptr(), "one body");
        assert_ne!(ds[0].body, ds[2].body, "each profile its own");
        assert!(ds[2].body.contains(r#""object":"event""#));
        engine.shutdown();
    }
}
