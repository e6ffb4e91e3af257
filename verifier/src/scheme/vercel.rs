//! Vercel: `x-vercel-signature: <hex HMAC-SHA1 of the body>`, key as UTF-8.

use super::{Algorithm, BodyOnly, Encoding};

pub(crate) const VERCEL: BodyOnly = BodyOnly {
    headers: &["x-vercel-signature"],
    prefix: "",
    algorithm: Algorithm::HmacSha1,
    encoding: Encoding::Hex,
    no_signature: "no signature",
};
