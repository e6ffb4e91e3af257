//! Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body>`, key as UTF-8;
//! `X-Shopify-Webhook-Id` carries the delivery id (not signed).

use super::{Algorithm, BodyOnly, Encoding};

pub(crate) const SHOPIFY: BodyOnly = BodyOnly {
    headers: &["X-Shopify-Hmac-Sha256", "X-Shopify-Webhook-Id"],
    prefix: "",
    algorithm: Algorithm::HmacSha256,
    encoding: Encoding::Base64,
    no_signature: "no signature",
};
