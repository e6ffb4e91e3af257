//! New secrets: what a webhook gets when none is given, what `keygen` prints, and the
//! wrong keys that chaos and the probe sign with.

use base64::Engine as _;
use rand::RngCore;

/// `whsec_` + base64 of 24 random bytes: valid for every profile.
pub fn generate_secret() -> String {
    random_key(hookproof::SECRET_PREFIX, [0u8; 24])
}

/// `whsk_` + base64 of a random 32-byte Ed25519 seed: a Standard Webhooks secret key
/// (standard and svix profiles), whose `whpk_` public key the API shows.
pub fn generate_signing_key() -> String {
    random_key(hookproof::SIGNING_KEY_PREFIX, [0u8; 32])
}

fn random_key<const N: usize>(prefix: &str, mut key: [u8; N]) -> String {
    rand::thread_rng().fill_bytes(&mut key);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::STANDARD.encode(key)
    )
}
