//! The webhooks and their rules: how one is made, changed, rotated, disabled and
//! deleted. The API, `--config` loading, the CLI and the engine (a 410 disabling a
//! webhook) all go through here; this module knows nothing of HTTP or of the engine.

pub mod checks;
pub mod requests;
pub mod segments;

use std::net::SocketAddr;

use tokio::sync::{broadcast, Mutex, MutexGuard};

use crate::clock::now_ms;
use crate::ids::new_id;
use crate::profile::Profile;
use crate::store::{Db, PreviousSecret, StoreError, WebhookRecord};
use checks::{
    check_chaos, check_events, check_id, check_not_self, check_secret, check_url, parse_kind,
    parse_profile, parse_retry_schedule, secret_of,
};
use requests::{CreateWebhook, RotateSecret, UpdateWebhook};
use segments::check_segments;

/// The profile of a webhook made without one.
pub const DEFAULT_PROFILE: Profile = Profile::DEFAULT;
/// How long a rotated-out secret keeps signing when the rotation does not say.
pub const DEFAULT_GRACE_PERIOD_SECS: u64 = 24 * 3600;

/// Why a change to webhooks was refused.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A field of the request breaks a rule: the caller's to fix.
    #[error("{message}")]
    Invalid { field: String, message: String },
    #[error("no webhook {0}")]
    NotFound(String),
    /// A webhook with the id asked for exists.
    #[error("webhook {0} exists")]
    Exists(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A refusal of field `field`.
pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Error {
    Error::Invalid {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// The stored webhooks, changed one at a time. Reads answer at once (webhooks are kept in
/// memory); a change awaits its turn and the store's write.
pub struct Webhooks {
    store: Db,
    /// Held while a webhook is read, changed and written back (create, update, rotate,
    /// delete, disable), so that no writer's change is lost to another's (a rotated secret
    /// lost to a concurrent update).
    writes: Mutex<()>,
    /// `http://` URLs to hosts other than loopback are accepted.
    allow_http: bool,
    /// Where `serve` listens, once bound: no webhook may point there.
    listen: Option<SocketAddr>,
    /// Every change made, for `/v1/stream`.
    changes: broadcast::Sender<Change>,
}

/// A change to the webhooks, as `/v1/stream` tells it.
#[derive(Debug, Clone)]
pub enum Change {
    Created(WebhookRecord),
    /// Changed, its secret rotated, or disabled (by the API or by its receiver's 410):
    /// the webhook as it is now.
    Updated(WebhookRecord),
    Deleted(String),
}

/// How many changes a slow `/v1/stream` client may fall behind by before it is told it
/// lagged.
const CHANGES_KEPT: usize = 256;

impl Webhooks {
    pub fn new(store: Db, allow_http: bool) -> Webhooks {
        Webhooks {
            store,
            writes: Mutex::new(()),
            allow_http,
            listen: None,
            changes: broadcast::channel(CHANGES_KEPT).0,
        }
    }

    /// Every change made from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.changes.subscribe()
    }

    /// Tells the subscribers (none listening is no error).
    fn tell(&self, change: Change) {
        let _ = self.changes.send(change);
    }

    /// The same, refusing webhooks that point at `listen` (the sender's own address).
    pub fn listening_on(self, listen: Option<SocketAddr>) -> Webhooks {
        Webhooks { listen, ..self }
    }

    pub fn store(&self) -> &Db {
        &self.store
    }

    /// The turn to change webhooks.
    async fn one_at_a_time(&self) -> MutexGuard<'_, ()> {
        self.writes.lock().await
    }

    pub fn find(&self, id: &str) -> Result<WebhookRecord, Error> {
        self.store
            .webhook(id)?
            .ok_or_else(|| Error::NotFound(id.to_owned()))
    }

    /// Checks a new webhook and builds its record (not stored).
    pub fn check(&self, req: CreateWebhook) -> Result<WebhookRecord, Error> {
        check_not_self(&req.url, self.listen)?;
        new_webhook(req, self.allow_http)
    }

    /// Creates a webhook; one with the same id is refused.
    pub async fn create(&self, req: CreateWebhook) -> Result<WebhookRecord, Error> {
        let w = self.check(req)?;
        let _turn = self.one_at_a_time().await;
        if self.store.webhook(&w.id)?.is_some() {
            return Err(Error::Exists(w.id));
        }
        self.store.put_webhook(w.clone()).await?;
        self.tell(Change::Created(w.clone()));
        Ok(w)
    }

    /// Creates a webhook, or replaces the one with the same id (keeping its creation
    /// time): what `--config` does for each entry.
    pub async fn upsert(&self, req: CreateWebhook) -> Result<WebhookRecord, Error> {
        let mut w = self.check(req)?;
        let _turn = self.one_at_a_time().await;
        let old = self.store.webhook(&w.id)?;
        if let Some(old) = &old {
            w.created_at = old.created_at;
        }
        self.store.put_webhook(w.clone()).await?;
        self.tell(match old {
            Some(_) => Change::Updated(w.clone()),
            None => Change::Created(w.clone()),
        });
        Ok(w)
    }

    /// Applies the fields `req` gives; all are checked before any changes.
    pub async fn update(&self, id: &str, req: UpdateWebhook) -> Result<WebhookRecord, Error> {
        let _turn = self.one_at_a_time().await;
        let mut w = self.find(id)?;
        if let Some(url) = req.url.as_ref().filter(|u| **u != crate::mask::url(&w.url)) {
            check_url(url, self.allow_http)?;
            check_not_self(url, self.listen)?;
        }
        if let Some(events) = &req.events {
            check_events(events)?;
        }
        if let Some(Some(segments)) = &req.segments {
            check_segments(segments)?;
        }
        let schedule = match &req.retry_schedule {
            Some(Some(waits)) => Some(Some(parse_retry_schedule(waits)?)),
            Some(None) => Some(None),
            None => None,
        };
        let chaos = match req.chaos {
            Some(Some(c)) => Some(Some(check_chaos(c, w.profile)?)),
            Some(None) => Some(None),
            None => None,
        };
        if let Some(c) = chaos {
            w.chaos = c;
        }
        // The URL as shown (its credentials masked), sent back by a form, keeps the URL.
        if let Some(url) = req.url.filter(|u| *u != crate::mask::url(&w.url)) {
            w.url = url;
        }
        if let Some(events) = req.events {
            w.events = events;
        }
        if let Some(segments) = req.segments {
            w.segments = segments.unwrap_or_default();
        }
        if let Some(s) = schedule {
            w.retry_schedule = s;
        }
        if let Some(d) = req.description {
            w.description = Some(d);
        }
        if let Some(enabled) = req.enabled {
            w.enabled = enabled;
        }
        w.updated_at = now_ms();
        self.store.put_webhook(w.clone()).await?;
        self.tell(Change::Updated(w.clone()));
        Ok(w)
    }

    /// Gives webhook `id` a new secret; the old one signs alongside it for the grace
    /// period (seconds) the rotation asks for, which it returns with the webhook.
    pub async fn rotate(&self, id: &str, req: RotateSecret) -> Result<(WebhookRecord, u64), Error> {
        let _turn = self.one_at_a_time().await;
        let mut w = self.find(id)?;
        let secret = secret_of(
            req.secret,
            req.signing.as_deref(),
            Some(&w.secret),
            w.profile,
        )?;
        check_secret(w.profile.scheme(), &secret)?;
        let now = now_ms();
        let grace = req.grace_period_secs.unwrap_or(DEFAULT_GRACE_PERIOD_SECS);
        let grace_ms = i64::try_from(grace.saturating_mul(1000)).unwrap_or(i64::MAX);
        w.previous_secrets.retain(|p| p.expires_at > now);
        if grace > 0 {
            w.previous_secrets.insert(
                0,
                PreviousSecret {
                    secret: std::mem::replace(&mut w.secret, secret),
                    expires_at: now.saturating_add(grace_ms),
                },
            );
        } else {
            w.secret = secret;
        }
        w.updated_at = now;
        self.store.put_webhook(w.clone()).await?;
        self.tell(Change::Updated(w.clone()));
        Ok((w, grace))
    }

    pub async fn delete(&self, id: &str) -> Result<(), Error> {
        let _turn = self.one_at_a_time().await;
        if self.store.delete_webhook(id).await? {
            self.tell(Change::Deleted(id.to_owned()));
            Ok(())
        } else {
            Err(Error::NotFound(id.to_owned()))
        }
    }

    /// Disables webhook `id` (its receiver answered 410 Gone to a Standard Webhooks
    /// delivery); whether it was enabled.
    pub async fn disable(&self, id: &str) -> Result<bool, StoreError> {
        let _turn = self.one_at_a_time().await;
        let Some(mut w) = self.store.webhook(id)? else {
            return Ok(false);
        };
        if !w.enabled {
            return Ok(false);
        }
        w.enabled = false;
        w.updated_at = now_ms();
        self.store.put_webhook(w.clone()).await?;
        self.tell(Change::Updated(w));
        Ok(true)
    }
}

/// Checks a new webhook and builds its record (not stored).
pub fn new_webhook(req: CreateWebhook, allow_http: bool) -> Result<WebhookRecord, Error> {
    let id = match req.id {
        Some(id) => {
            check_id("id", &id)?;
            id
        }
        None => new_id("wh"),
    };
    let kind = parse_kind(req.kind.as_deref().unwrap_or("http"))?;
    check_url(&req.url, allow_http)?;
    check_events(&req.events)?;
    let profile = match &req.profile {
        Some(p) => parse_profile(p)?,
        None => DEFAULT_PROFILE,
    };
    let secret = secret_of(req.secret, req.signing.as_deref(), None, profile)?;
    check_secret(profile.scheme(), &secret)?;
    let segments = req.segments.unwrap_or_default();
    check_segments(&segments)?;
    let retry_schedule = req
        .retry_schedule
        .as_deref()
        .map(parse_retry_schedule)
        .transpose()?;
    let chaos = req.chaos.map(|c| check_chaos(c, profile)).transpose()?;
    let now = now_ms();
    Ok(WebhookRecord {
        id,
        kind,
        url: req.url,
        profile,
        secret,
        previous_secrets: Vec::new(),
        events: req.events,
        segments,
        enabled: req.enabled.unwrap_or(true),
        retry_schedule,
        description: req.description,
        chaos,
        created_at: now,
        updated_at: now,
    })
}
