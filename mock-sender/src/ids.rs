//! The ids the sender makes: each begins with its time (a ULID or a UUIDv7), so new ids
//! land at the warm end of the stores' id indexes, and each is greater than every id of
//! its form made before it by this process, within one millisecond too: listings in id
//! order (an inbox's captures) are in the order things happened.

use std::sync::{Mutex, PoisonError};

use hookproof::Scheme;

/// Hands out increasing ULIDs: within one millisecond, the random part of the last one
/// plus one.
static ULIDS: Mutex<ulid::Generator> = Mutex::new(ulid::Generator::new());

/// A new ULID, greater than every one this process made before.
fn next_ulid() -> ulid::Ulid {
    let mut ulids = ULIDS.lock().unwrap_or_else(PoisonError::into_inner);
    // Fails only after 2^80 ids in one millisecond.
    ulids.generate().unwrap_or_else(|_| ulid::Ulid::new())
}

/// A new id: `prefix_` and a ULID.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", next_ulid())
}

/// A new delivery's id, in the form of its profile's delivery id header: a UUID for GitHub's
/// X-GitHub-Delivery and Shopify's X-Shopify-Webhook-Id (a receiver may keep it in a UUID
/// column), `msg_<ULID>` for Standard Webhooks' and Svix's message id, a bare ULID for
/// Vector's X-Vector-Delivery (and the profiles that send none).
pub fn delivery_id(scheme: Scheme) -> String {
    match scheme {
        Scheme::Github | Scheme::Shopify => uuid::Uuid::now_v7().to_string(),
        Scheme::Standard | Scheme::Svix => new_id("msg"),
        _ => next_ulid().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_ids_take_their_providers_form() {
        let uuid = delivery_id(Scheme::Github);
        assert!(uuid::Uuid::parse_str(&uuid).is_ok(), "{uuid}");
        assert!(uuid::Uuid::parse_str(&delivery_id(Scheme::Shopify)).is_ok());
        assert!(delivery_id(Scheme::Svix).starts_with("msg_"));
        assert!(delivery_id(Scheme::Standard).starts_with("msg_"));
        assert!(delivery_id(Scheme::Vector).parse::<ulid::Ulid>().is_ok());
    }

    #[test]
    fn ids_made_one_after_another_are_in_order_within_a_millisecond_too() {
        let ids: Vec<String> = (0..10_000).map(|_| new_id("cap")).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        let bare: Vec<String> = (0..1000).map(|_| delivery_id(Scheme::Vector)).collect();
        assert!(bare.windows(2).all(|w| w[0] < w[1]));
    }
}
