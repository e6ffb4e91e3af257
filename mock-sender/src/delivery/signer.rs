//! What each attempt signs with: a cache of every webhook's signer and parsed URL, and the
//! headers of one request.

use std::sync::Arc;
use std::time::Duration;

use hookproof::Webhook;

use super::endpoint::{parse_url, Endpoint};
use super::engine::Engine;
use super::{attempt, payload, schedule, HttpClient, Sent, Settings, Target};
use crate::profile::Profile;
use crate::store::{DeliveryRecord, WebhookRecord};

/// What every attempt to one webhook needs, built once from it rather than per attempt:
/// its signer (each secret decoded, its HMAC pads hashed) and its parsed URL.
pub(super) struct Prepared {
    /// The webhook it was built from. The store hands out a new `Arc` when a webhook
    /// changes (an update, a rotation), so a different pointer means "build again".
    pub(super) webhook: Arc<WebhookRecord>,
    /// Unix ms when a previous secret it signs with leaves its grace period: from then
    /// on it is built again, without that secret.
    pub(super) until: i64,
    pub(super) signer: Result<Webhook, hookproof::Error>,
    /// `None` if the URL does not parse: `post` is then given the text, and fails on it.
    pub(super) url: Option<Endpoint>,
}

impl Prepared {
    pub(super) fn new(webhook: &Arc<WebhookRecord>, now_ms: i64) -> Prepared {
        let signer =
            Webhook::with_secrets(webhook.profile.scheme(), webhook.signing_secrets(now_ms));
        let until = webhook
            .previous_secrets
            .iter()
            .map(|p| p.expires_at)
            .filter(|&at| at > now_ms)
            .min()
            .unwrap_or(i64::MAX);
        Prepared {
            webhook: Arc::clone(webhook),
            until,
            signer,
            url: parse_url(&webhook.url),
        }
    }

    /// How long an attempt may take: `--attempt-timeout`, else the profile's.
    pub(super) fn timeout(&self, settings: &Settings) -> Duration {
        settings
            .attempt_timeout
            .unwrap_or_else(|| match &self.signer {
                Ok(_) => schedule::profile_timeout(self.webhook.profile),
                Err(_) => schedule::LONGEST_PROFILE_TIMEOUT,
            })
    }

    pub(super) fn fits(&self, webhook: &Arc<WebhookRecord>, now_ms: i64) -> bool {
        Arc::ptr_eq(&self.webhook, webhook) && now_ms < self.until
    }

    /// POSTs `body` to the webhook's URL.
    pub(super) async fn post(
        &self,
        client: &HttpClient,
        headers: &[(String, String)],
        body: bytes::Bytes,
        timeout: Duration,
    ) -> Sent {
        let target = match &self.url {
            Some(endpoint) => Target::Parsed(endpoint),
            None => Target::Text(&self.webhook.url),
        };
        attempt::post(client, target, headers, body, timeout).await
    }
}

impl Engine {
    /// What attempts to webhook `w` need at `now_ms`: the one built before if it still
    /// fits, else a new one.
    pub(super) fn prepared(&self, w: &Arc<WebhookRecord>, now_ms: i64) -> Arc<Prepared> {
        let cached = self
            .prepared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&w.id)
            .filter(|p| p.fits(w, now_ms))
            .cloned();
        cached.unwrap_or_else(|| {
            let fresh = Arc::new(Prepared::new(w, now_ms));
            self.prepared
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(w.id.clone(), Arc::clone(&fresh));
            fresh
        })
    }

    /// Drops what was built for a deleted webhook.
    pub(super) fn forget_prepared(&self, webhook_id: &str) {
        self.prepared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(webhook_id);
    }
}

/// Every header of one attempt: the URL's credentials (`Authorization: Basic`, when it
/// has userinfo), the profile's own, then the signature headers from `hookproof`, signed
/// now with the current secret and any still in their grace period.
pub(super) fn sign(
    p: &Prepared,
    d: &DeliveryRecord,
    r: &payload::Request<'_>,
    now_ms: i64,
) -> Result<Vec<(String, String)>, hookproof::Error> {
    let signer = p.signer.as_ref().map_err(Clone::clone)?;
    let mut headers = signed_headers(
        signer,
        p.webhook.profile,
        r,
        &d.id,
        d.body.as_bytes(),
        now_ms.div_euclid(1000),
    )?;
    if let Some(endpoint) = &p.url {
        endpoint.authorize(&mut headers);
    }
    Ok(headers)
}

/// Request number `attempt` of delivery `d` to webhook `webhook_id`, retrying after a
/// failure for `retry_reason`.
pub(super) fn request_of<'a>(
    d: &'a DeliveryRecord,
    webhook_id: &'a str,
    attempt: u32,
    retry_reason: Option<&'static str>,
) -> payload::Request<'a> {
    payload::Request {
        event_type: &d.event_type,
        event_id: &d.event_id,
        webhook_id,
        created_at: d.created_at,
        attempt,
        retry_reason,
    }
}

/// Every header of request `r` of `profile`: the profile's own, then the signature
/// headers of `body`, delivery `delivery_id`, signed at `timestamp` (Unix seconds) by
/// `signer` (of the profile's scheme).
pub fn signed_headers(
    signer: &Webhook,
    profile: Profile,
    r: &payload::Request<'_>,
    delivery_id: &str,
    body: &[u8],
    timestamp: i64,
) -> Result<Vec<(String, String)>, hookproof::Error> {
    let signed = signer.sign(body, delivery_id, timestamp)?;
    Ok(payload::headers(profile, r)
        .into_iter()
        .chain(signed)
        .map(|(k, v)| (k.to_owned(), v))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::PreviousSecret;

    fn webhook(previous_expires_at: i64) -> WebhookRecord {
        WebhookRecord {
            url: "http://127.0.0.1:1/hook".into(),
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
            previous_secrets: vec![PreviousSecret {
                secret: "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into(),
                expires_at: previous_expires_at,
            }],
            ..crate::store::fixtures::webhook("wh_1")
        }
    }

    fn signatures(p: &Prepared) -> usize {
        let signed = p.signer.as_ref().unwrap().sign(b"{}", "msg_1", 1).unwrap();
        let (_, sigs) = signed
            .iter()
            .find(|(k, _)| *k == "webhook-signature")
            .unwrap();
        sigs.split(' ').count()
    }

    #[test]
    fn a_prepared_webhook_lasts_until_it_changes_or_a_grace_period_ends() {
        let w = Arc::new(webhook(1_000));
        let p = Prepared::new(&w, 500);
        assert_eq!(
            signatures(&p),
            2,
            "the previous secret is in its grace period"
        );
        assert_eq!(
            p.url.as_ref().map(|e| e.uri.to_string()).as_deref(),
            Some(w.url.as_str())
        );
        assert!(p.fits(&w, 999));
        assert!(!p.fits(&w, 1_000), "the grace period is over");
        assert_eq!(signatures(&Prepared::new(&w, 1_000)), 1);
        let same_but_stored_again = Arc::new(webhook(1_000));
        assert!(!p.fits(&same_but_stored_again, 500));
        let expired = Arc::new(webhook(0));
        assert!(
            Prepared::new(&expired, 500).fits(&expired, i64::MAX - 1),
            "no grace period to end"
        );
    }
}
