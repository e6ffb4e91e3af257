//! The signature doctor on arbitrary headers and bodies. Never panics.
#![no_main]

use hookproof::{Scheme, Webhook};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, Vec<(String, String)>, &[u8], i64)| {
    let (scheme, headers, body, now) = input;
    let scheme = Scheme::ALL[usize::from(scheme) % Scheme::ALL.len()];
    let wh = Webhook::new(scheme, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    let _ = wh.diagnose(body, &headers, now);
});
