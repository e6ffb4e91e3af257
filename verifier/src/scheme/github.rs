//! GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`, key as UTF-8.
//! Deliveries also carry `X-GitHub-Delivery` (a GUID) and `X-GitHub-Event`.

use super::{Algorithm, BodyOnly, Encoding};

pub(crate) const GITHUB: BodyOnly = BodyOnly {
    headers: &["X-Hub-Signature-256", "X-GitHub-Delivery"],
    prefix: "sha256=",
    algorithm: Algorithm::HmacSha256,
    encoding: Encoding::Hex,
    no_signature: "no sha256=<signature> item",
};
