//! Whatever is signed verifies; a changed body does not.
#![no_main]

use hookproof::{Scheme, Webhook};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, &[u8], &str, u32, u8)| {
    let (scheme, body, id, ts, flip) = input;
    let scheme = Scheme::ALL[usize::from(scheme) % Scheme::ALL.len()];
    let wh = Webhook::from_key(scheme, b"fuzz key").unwrap();
    let Ok(headers) = wh.sign(body, id, i64::from(ts)) else {
        return;
    };
    assert!(wh.verify_at(body, &headers, i64::from(ts)).is_ok());
    if !body.is_empty() {
        let mut changed = body.to_vec();
        changed[usize::from(flip) % body.len()] ^= 1;
        assert!(wh.verify_at(&changed, &headers, i64::from(ts)).is_err());
    }
});
