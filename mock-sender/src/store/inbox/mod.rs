//! Where inboxes and their captures are kept: in memory (`serve --memory`), or in tables
//! of their own in the `--db` file, on the store's connection (`memory`, `sqlite`: both
//! answer `InboxStore` alike, as the shared tests below hold them to). Reached through
//! `Db`, as the rest of the store.

mod memory;
mod records;
mod sqlite;

use crate::store::StoreError;
pub use memory::MemoryInboxes;
pub use records::{
    delivery_id, Capture, Check, Finding, Forwarded, InboxConfig, Respond, Status, Verification,
};
pub use sqlite::SqliteInboxes;

/// Captures kept in memory at most; past it, or past the store's byte limit, the oldest go.
pub const MEMORY_CAPTURES: usize = 10_000;

/// Captures a listing returns when it sets no limit.
pub const DEFAULT_LIMIT: u32 = 1000;

pub trait InboxStore: Send + Sync + 'static {
    /// Inserts or replaces.
    fn put_inbox(&self, inbox: &InboxConfig) -> Result<(), StoreError>;
    fn inbox(&self, name: &str) -> Result<Option<InboxConfig>, StoreError>;
    /// Deletes the inbox's settings and captures; whether it had either.
    fn delete_inbox(&self, name: &str) -> Result<bool, StoreError>;
    /// Inserts or replaces.
    fn put_capture(&self, capture: &Capture) -> Result<(), StoreError>;
    fn capture(&self, inbox: &str, id: &str) -> Result<Option<Capture>, StoreError>;
    /// Newest first, at most `limit` (`DEFAULT_LIMIT`).
    fn captures(&self, inbox: &str, limit: Option<u32>) -> Result<Vec<Capture>, StoreError>;
    /// The inbox's captures whose `delivery_id` is `delivery_id`, oldest first, through an
    /// index: the whole inbox, however many captures it holds.
    fn captures_by_delivery_id(
        &self,
        inbox: &str,
        delivery_id: &str,
    ) -> Result<Vec<Capture>, StoreError>;
    /// Every configured inbox, by name.
    fn inboxes(&self) -> Result<Vec<InboxConfig>, StoreError>;
    /// Each inbox that holds captures, configured or not, by name.
    fn capture_counts(&self) -> Result<Vec<CaptureCount>, StoreError>;
    /// Deletes captures received before `before_ms`; how many went.
    fn prune(&self, before_ms: i64) -> Result<usize, StoreError>;
}

/// How many captures an inbox holds, and when the newest came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureCount {
    pub inbox: String,
    pub captures: u64,
    /// Unix milliseconds.
    pub last_received_at: i64,
}

fn limit_of(limit: Option<u32>) -> usize {
    limit.unwrap_or(DEFAULT_LIMIT) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn capture(id: &str, inbox: &str, at: i64) -> Capture {
        Capture {
            id: id.into(),
            inbox: inbox.into(),
            method: "POST".into(),
            path: format!("/in/{inbox}"),
            query: None,
            headers: vec![("a".into(), "1".into()), ("a".into(), "2".into())],
            body_base64: "e30=".into(),
            body: Some("{}".into()),
            received_at: at,
            remote_addr: None,
            status: 200,
            verification: None,
            conformance: vec![],
            scheme: None,
            delivery_id: None,
            forward: None,
            replays: vec![],
        }
    }

    pub fn with_delivery_id(mut c: Capture, id: &str) -> Capture {
        c.delivery_id = Some(id.into());
        c
    }

    pub fn both_stores_keep_captures_alike(store: &dyn InboxStore) {
        store.put_capture(&capture("cap_1", "a", 10)).unwrap();
        store.put_capture(&capture("cap_2", "a", 20)).unwrap();
        store.put_capture(&capture("cap_3", "b", 30)).unwrap();
        let ids = |v: Vec<Capture>| v.into_iter().map(|c| c.id).collect::<Vec<_>>();
        assert_eq!(ids(store.captures("a", None).unwrap()), ["cap_2", "cap_1"]);
        assert_eq!(ids(store.captures("a", Some(1)).unwrap()), ["cap_2"]);
        assert_eq!(
            store.capture("a", "cap_1").unwrap(),
            Some(capture("cap_1", "a", 10))
        );
        assert_eq!(store.capture("b", "cap_1").unwrap(), None);
        let counts = store.capture_counts().unwrap();
        assert_eq!(
            counts
                .iter()
                .map(|c| (c.inbox.as_str(), c.captures, c.last_received_at))
                .collect::<Vec<_>>(),
            [("a", 2, 20), ("b", 1, 30)]
        );
        assert_eq!(store.prune(15).unwrap(), 1);
        assert_eq!(ids(store.captures("a", None).unwrap()), ["cap_2"]);
        let mut config = InboxConfig::unconfigured("a");
        config.scheme = Some(hookproof::Scheme::Stripe);
        store.put_inbox(&config).unwrap();
        assert_eq!(store.inbox("a").unwrap(), Some(config));
        store.put_inbox(&InboxConfig::unconfigured("0")).unwrap();
        let names: Vec<String> = store
            .inboxes()
            .unwrap()
            .into_iter()
            .map(|i| i.name)
            .collect();
        assert_eq!(names, ["0", "a"]);
        assert!(store.delete_inbox("a").unwrap());
        assert_eq!(store.inbox("a").unwrap(), None);
        assert!(store.captures("a", None).unwrap().is_empty());
        assert!(!store.delete_inbox("a").unwrap());
    }

    pub fn both_stores_find_captures_by_delivery_id(store: &dyn InboxStore) {
        let ids = |v: Vec<Capture>| v.into_iter().map(|c| c.id).collect::<Vec<_>>();
        for (id, inbox, delivery, at) in [
            ("cap_1", "a", "msg_1", 10),
            ("cap_2", "a", "msg_2", 10),
            ("cap_3", "b", "msg_1", 20),
            ("cap_4", "a", "msg_1", 10),
        ] {
            store
                .put_capture(&with_delivery_id(capture(id, inbox, at), delivery))
                .unwrap();
        }
        store.put_capture(&capture("cap_5", "a", 10)).unwrap();
        let by = |inbox, d| ids(store.captures_by_delivery_id(inbox, d).unwrap());
        assert_eq!(by("a", "msg_1"), ["cap_1", "cap_4"]);
        assert_eq!(by("b", "msg_1"), ["cap_3"]);
        assert!(by("a", "msg_3").is_empty());
        // Replaced under another id, pruned, deleted: no longer found under the old one.
        store
            .put_capture(&with_delivery_id(capture("cap_4", "a", 20), "msg_2"))
            .unwrap();
        assert_eq!(by("a", "msg_1"), ["cap_1"]);
        assert_eq!(by("a", "msg_2"), ["cap_2", "cap_4"]);
        store.prune(15).unwrap();
        assert_eq!(by("a", "msg_2"), ["cap_4"]);
        store.delete_inbox("a").unwrap();
        assert!(by("a", "msg_2").is_empty());
        assert_eq!(by("b", "msg_1"), ["cap_3"]);
    }

    pub fn temp_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("hookproof-inbox-{}", ulid::Ulid::new()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
