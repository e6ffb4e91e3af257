//! The wasm-bindgen boundary, and nothing else. Kept narrow: bytes and short strings
//! cross it, never JSON of a whole request. The JS shell in `pkg/` reads the scheme's
//! headers (`headerNames`) from whatever header object it was given and passes their
//! values positionally.

use wasm_bindgen::prelude::*;

use crate::{Error, Headers, Scheme, Webhook};

fn to_js(e: Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&err, &"code".into(), &e.code().into());
    err.into()
}

fn scheme(name: &str) -> Result<Scheme, JsValue> {
    name.parse().map_err(to_js)
}

/// Header values in the order of `Scheme::header_names`.
struct Positional<'a> {
    names: &'static [&'static str],
    values: [Option<&'a str>; 3],
}

impl Headers for Positional<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        let i = self
            .names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(name))?;
        *self.values.get(i)?
    }
}

/// A keyed verifier; the JS `Webhook` class wraps one.
#[wasm_bindgen]
pub struct WasmWebhook {
    inner: Webhook,
    /// A reusable request buffer that JS writes into directly: the body (`encodeInto` for
    /// strings, `set` for bytes), then the scheme's header values (UTF-8), so a verify
    /// allocates nothing and copies the body once.
    buffer: Vec<u8>,
}

/// The module's memory, for the JS shell's views onto the body buffer.
#[wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

#[wasm_bindgen]
impl WasmWebhook {
    /// A verifier with no secret yet, for `scheme`, with `tolerance` seconds.
    #[wasm_bindgen(constructor)]
    pub fn new(scheme_name: &str, tolerance: f64) -> Result<WasmWebhook, JsValue> {
        if !(tolerance.is_finite() && tolerance >= 0.0) {
            return Err(to_js(Error::InvalidOption(
                "toleranceSeconds must be a finite number >= 0",
            )));
        }
        Ok(WasmWebhook {
            inner: Webhook::empty(scheme(scheme_name)?).with_tolerance(tolerance as u64),
            buffer: Vec::new(),
        })
    }

    /// Adds a secret string, decoded as the scheme requires.
    #[wasm_bindgen(js_name = addSecret)]
    pub fn add_secret(&mut self, secret: &str) -> Result<(), JsValue> {
        self.inner.add_secret(secret).map_err(to_js)
    }

    /// Adds raw key bytes.
    #[wasm_bindgen(js_name = addKey)]
    pub fn add_key(&mut self, key: &[u8]) -> Result<(), JsValue> {
        self.inner.add_key(key).map_err(to_js)
    }

    /// The address of the request buffer, grown to at least `capacity` bytes. The JS
    /// shell writes the request there, then calls `verifyBuffer` with the lengths.
    #[wasm_bindgen(js_name = bodyBuffer)]
    pub fn body_buffer(&mut self, capacity: usize) -> usize {
        if self.buffer.len() < capacity {
            self.buffer.resize(capacity, 0);
        }
        self.buffer.as_mut_ptr() as usize
    }

    /// Verifies the request in the buffer: `body_len` bytes of body, then the values of
    /// `headerNames(scheme)` in order, `h0..h2` bytes of UTF-8 each, or -1 when absent.
    #[wasm_bindgen(js_name = verifyBuffer)]
    pub fn verify_buffer(
        &self,
        body_len: usize,
        h0: i32,
        h1: i32,
        h2: i32,
        now_seconds: f64,
    ) -> Result<(), JsValue> {
        let (body, mut rest) = self.buffer.split_at_checked(body_len).unwrap_or((&[], &[]));
        let mut values = [None; 3];
        for (value, len) in values.iter_mut().zip([h0, h1, h2]) {
            // Negative: absent. The shell writes valid UTF-8 within the buffer, so the
            // `None`s for anything else cannot happen; they read as a missing header.
            let Ok(len) = usize::try_from(len) else {
                continue;
            };
            let Some((bytes, after)) = rest.split_at_checked(len) else {
                break;
            };
            *value = core::str::from_utf8(bytes).ok();
            rest = after;
        }
        let headers = Positional {
            names: self.inner.scheme().header_names(),
            values,
        };
        // Float-to-int casts saturate (NaN becomes 0), so any number is safe here.
        self.inner
            .verify_at(body, &headers, now_seconds as i64)
            .map(|_| ())
            .map_err(to_js)
    }
}

#[cfg(feature = "tools")]
#[wasm_bindgen]
impl WasmWebhook {
    /// The signature doctor's report (a plain object); `headers` is every request header
    /// as a flat list `[name, value, name, value, ...]`.
    pub fn diagnose(&self, body: &[u8], headers: Vec<String>, now_seconds: f64) -> JsValue {
        let pairs: Vec<(&str, &str)> = headers
            .chunks_exact(2)
            .map(|kv| (kv[0].as_str(), kv[1].as_str()))
            .collect();
        let report = self.inner.diagnose(body, &pairs, now_seconds as i64);
        serde_wasm_bindgen::to_value(&report).unwrap_or(JsValue::NULL)
    }

    /// Signs `body`: a flat list `[name, value, name, value, ...]`.
    pub fn sign(&self, body: &[u8], id: &str, timestamp: f64) -> Result<Vec<String>, JsValue> {
        if !timestamp.is_finite() {
            return Err(to_js(Error::InvalidOption(
                "timestamp must be a finite number",
            )));
        }
        let headers = self.inner.sign(body, id, timestamp as i64).map_err(to_js)?;
        Ok(headers
            .into_iter()
            .flat_map(|(k, v)| [k.to_ascii_lowercase(), v])
            .collect())
    }
}

/// The headers `verify` reads for `scheme`, signature header first.
#[wasm_bindgen(js_name = headerNames)]
pub fn header_names(scheme_name: &str) -> Result<Vec<String>, JsValue> {
    Ok(scheme(scheme_name)?
        .header_names()
        .iter()
        .map(|n| n.to_ascii_lowercase())
        .collect())
}

/// `[name, signature header, name, signature header, ...]` in detection order.
#[wasm_bindgen(js_name = schemeTable)]
pub fn scheme_table() -> Vec<String> {
    Scheme::ALL
        .iter()
        .flat_map(|s| {
            [
                s.name().to_owned(),
                s.signature_header().to_ascii_lowercase(),
            ]
        })
        .collect()
}

/// Whether `scheme` signs a timestamp.
#[wasm_bindgen(js_name = isTimestamped)]
pub fn is_timestamped(scheme_name: &str) -> Result<bool, JsValue> {
    Ok(scheme(scheme_name)?.is_timestamped())
}
