//! Generic: `X-Webhook-Signature: <hex HMAC-SHA256 of the body>`, key as UTF-8.

use super::{Algorithm, BodyOnly, Encoding};

pub(crate) const GENERIC: BodyOnly = BodyOnly {
    headers: &["X-Webhook-Signature"],
    prefix: "",
    algorithm: Algorithm::HmacSha256,
    encoding: Encoding::Hex,
    no_signature: "no signature",
};
