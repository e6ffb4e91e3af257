//! Secret decoding (`whsec_` + base64, UTF-8, raw bytes) for every scheme. Never panics.
#![no_main]

use hookproof::{Scheme, Webhook};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, &str, &[u8])| {
    let (scheme, secret, key) = input;
    let scheme = Scheme::ALL[usize::from(scheme) % Scheme::ALL.len()];
    if let Ok(wh) = Webhook::new(scheme, secret) {
        let _ = wh.sign(b"{}", "msg_1", 1);
    }
    let _ = Webhook::from_key(scheme, key);
});
