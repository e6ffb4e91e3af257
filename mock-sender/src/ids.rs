//! The ids the sender makes: each begins with its time (a ULID or a UUIDv7), so new ids
//! land at the warm end of the stores' id indexes.

use hookproof::Scheme;

/// A new id: `prefix_` and a ULID.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", ulid::Ulid::new())
}

/// A new delivery's id, in the form of its profile's delivery id header: a UUID for GitHub's
/// X-GitHub-Delivery and Shopify's X-Shopify-Webhook-Id (a receiver may keep it in a UUID
/// column), `msg_<ULID>` for Standard Webhooks' and Svix's message id, a bare ULID for
/// Vector's X-Vector-Delivery (and the profiles that send none).
pub fn delivery_id(scheme: Scheme) -> String {
    match scheme {
        Scheme::Github | Scheme::Shopify => uuid::Uuid::now_v7().to_string(),
        Scheme::Standard | Scheme::Svix => new_id("msg"),
        _ => ulid::Ulid::new().to_string(),
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
}
