//! The whole verify path, per scheme: every header parser (signature lists, `t=`/`v1=`
//! items, timestamps), signature decoding and the tolerance check. Must never panic.
#![no_main]

use hookproof::{Scheme, Webhook};
use libfuzzer_sys::{arbitrary, fuzz_target};

#[derive(Debug, arbitrary::Arbitrary)]
struct Input {
    scheme: u8,
    values: [Option<String>; 3],
    body: Vec<u8>,
    now: i64,
    tolerance: u64,
}

fuzz_target!(|input: Input| {
    let scheme = Scheme::ALL[usize::from(input.scheme) % Scheme::ALL.len()];
    let wh = Webhook::new(scheme, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        .unwrap()
        .with_tolerance(input.tolerance);
    let headers: Vec<(&str, &str)> = scheme
        .header_names()
        .iter()
        .zip(&input.values)
        .filter_map(|(name, value)| Some((*name, value.as_deref()?)))
        .collect();
    if let Err(e) = wh.verify_at(&input.body, &headers, input.now) {
        let _ = (e.code(), e.to_string());
    }
    let _ = Scheme::detect(&headers);
});
