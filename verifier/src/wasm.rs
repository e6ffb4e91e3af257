//! The wasm-bindgen boundary, and nothing else. Kept narrow: numbers, bytes and short
//! strings cross it, never JSON of a whole request. The JS shell in `pkg/` reads the
//! scheme's headers (from `pkg/gen/schemes.mjs`, generated from `Scheme` by
//! `examples/scheme_table.rs`) from whatever header object it was given and passes their
//! values positionally.
//!
//! The verify module imports nothing from JS. V8 compiles a wrapper for each imported
//! function when it compiles a module, and the first such wrapper in a process costs
//! ~0.7 ms: most of a cold start. So no `JsValue` crosses in
//! the verify module, and neither does a `#[wasm_bindgen]` struct (its borrow checks
//! import `__wbindgen_throw`):
//! - a verifier is a handle (`webhookNew`, `webhookFree`), an index into a slab;
//! - a call that can fail returns `false` (or nothing) and keeps its error, which the
//!   shell reads with `errorCode` and `errorMessage` and throws as a
//!   `WebhookVerificationError`.
//!
//! Only the tools module's `webhookDiagnose`, `webhookSign` and `parseHeaderBlock` return
//! JS objects.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;
use spin::mutex::{SpinMutex as Mutex, SpinMutexGuard as Guard};

use slab::Slab;
use wasm_bindgen::prelude::*;

use crate::scheme::Algorithm;
use crate::{Error, Headers, Scheme, Webhook};

/// Every live verifier, by handle.
static WEBHOOKS: Mutex<Slab<Webhook>> = Mutex::new(Slab::new());
/// The reusable request buffer that JS writes into directly: the body (`encodeInto` for
/// strings, `set` for bytes), then the scheme's header values (UTF-8), so a request needs
/// no allocation and its body is copied once. One for all verifiers: JS writes a request
/// and verifies it in one synchronous step.
static REQUEST: Mutex<Vec<u8>> = Mutex::new(Vec::new());
/// The error of the last call that failed.
static LAST_ERROR: Mutex<Option<Error>> = Mutex::new(None);

/// The value behind `lock`. JS calls in one at a time, so it is free unless an earlier
/// call trapped while holding it (a bug: the verifier does not panic on any input); then
/// this traps too, as the `RefCell` borrow it replaces would, where `lock()` would spin
/// forever.
fn locked<T>(lock: &Mutex<T>) -> Guard<'_, T> {
    lock.try_lock()
        .expect("a call that trapped left the lock held")
}

/// `Some` of `result`'s value, or `None` with its error kept for `errorCode`.
fn keep<T>(result: Result<T, Error>) -> Option<T> {
    result.map_err(|e| *locked(&LAST_ERROR) = Some(e)).ok()
}

/// The stable code of the last error (`"timestamp_too_old"`, ...); "" if none.
#[wasm_bindgen(js_name = errorCode)]
pub fn error_code() -> String {
    locked(&LAST_ERROR)
        .as_ref()
        .map_or("", Error::code)
        .to_owned()
}

/// The message of the last error; "" if none.
#[wasm_bindgen(js_name = errorMessage)]
pub fn error_message() -> String {
    locked(&LAST_ERROR)
        .as_ref()
        .map(Error::message)
        .unwrap_or_default()
}

const STALE_HANDLE: Error = Error::InvalidOption("the verifier was freed");

/// Runs `f` on the verifier behind `handle`; `None` (an error kept) if there is none.
fn with_webhook<T>(handle: u32, f: impl FnOnce(&mut Webhook) -> Result<T, Error>) -> Option<T> {
    let mut all = locked(&WEBHOOKS);
    let webhook = all.get_mut(handle as usize).ok_or(STALE_HANDLE);
    keep(webhook.and_then(f))
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

/// The largest `toleranceSeconds` (JS's `Number.MAX_SAFE_INTEGER`, ~285 million years):
/// one bound for every number, where a larger one would round and `Infinity` means nothing.
const MAX_TOLERANCE: f64 = 9_007_199_254_740_991.0;

/// A verifier with no secret yet, for `scheme`, with `tolerance` seconds: its handle, or
/// nothing (an error kept) for an unknown scheme or a bad tolerance.
#[wasm_bindgen(js_name = webhookNew)]
pub fn webhook_new(scheme_name: &str, tolerance: f64) -> Option<u32> {
    // NaN is in no range.
    if !(0.0..=MAX_TOLERANCE).contains(&tolerance) {
        return keep(Err(Error::InvalidOption(
            "toleranceSeconds must be from 0 to 9007199254740991 seconds",
        )));
    }
    let scheme: Scheme = keep(scheme_name.parse())?;
    let webhook = Webhook::empty(scheme).with_tolerance(tolerance as u64);
    let handle = locked(&WEBHOOKS).insert(webhook);
    keep(u32::try_from(handle).map_err(|_| Error::InvalidOption("too many verifiers")))
}

/// Drops the verifier behind `handle` (its keys with it). A handle already freed is
/// ignored.
#[wasm_bindgen(js_name = webhookFree)]
pub fn webhook_free(handle: u32) {
    locked(&WEBHOOKS).try_remove(handle as usize);
}

/// Adds a secret string, decoded as the scheme requires; `false` (the error kept) if it
/// is not valid.
#[wasm_bindgen(js_name = webhookAddSecret)]
pub fn webhook_add_secret(handle: u32, secret: &str) -> bool {
    with_webhook(handle, |w| w.add_secret(secret)).is_some()
}

/// Adds raw key bytes; `false` (the error kept) if they are not valid.
#[wasm_bindgen(js_name = webhookAddKey)]
pub fn webhook_add_key(handle: u32, key: &[u8]) -> bool {
    with_webhook(handle, |w| w.add_key(key)).is_some()
}

/// The address of the request buffer, grown to at least `capacity` bytes, or 0 (the error
/// kept) when the module's memory cannot hold that much. The JS shell writes the request
/// there, then calls `webhookVerify` with the lengths. The address stays valid until the
/// next `requestBuffer`.
///
/// Growth is fallible on purpose: a panic here (a 2 GiB body overflows a wasm32 `Vec`)
/// would trap with `REQUEST` still borrowed, and every later verify in the process would
/// trap too.
#[wasm_bindgen(js_name = requestBuffer)]
pub fn request_buffer(capacity: usize) -> usize {
    let mut buffer = locked(&REQUEST);
    let more = capacity.saturating_sub(buffer.len());
    if buffer.try_reserve_exact(more).is_err() {
        keep::<()>(Err(Error::BodyTooLarge));
        return 0;
    }
    let len = buffer.len() + more;
    buffer.resize(len, 0);
    buffer.as_mut_ptr() as usize
}

/// Verifies the request in the buffer with the verifier behind `handle`: `body_len`
/// bytes of body, then the values of the scheme's headers (`Scheme::header_names`) in order,
/// `h0..h2` bytes of UTF-8 each, or -1 when absent. `false` (the error kept) if it is not accepted.
#[wasm_bindgen(js_name = webhookVerify)]
pub fn webhook_verify(
    handle: u32,
    body_len: usize,
    h0: i32,
    h1: i32,
    h2: i32,
    now_seconds: f64,
) -> bool {
    let buffer = locked(&REQUEST);
    let (body, mut rest) = buffer.split_at_checked(body_len).unwrap_or((&[], &[]));
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
    with_webhook(handle, |w| {
        let headers = Positional {
            names: w.scheme().header_names(),
            values,
        };
        // Float-to-int casts saturate (NaN becomes 0), so any number is safe here.
        w.check(body, &headers, now_seconds as i64).map(drop)
    })
    .is_some()
}

/// The header values in the request buffer from `at`: `h0..h2` bytes of UTF-8 each, or
/// -1 when absent, in the order of `Scheme::header_names`; where they end.
fn header_values(buffer: &[u8], at: usize, lens: [i32; 3]) -> ([Option<&str>; 3], usize) {
    let mut values = [None; 3];
    let mut rest = buffer.get(at..).unwrap_or_default();
    for (value, len) in values.iter_mut().zip(lens) {
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
    (values, buffer.len() - rest.len())
}

/// The MAC a host computes for `scheme_name`'s rule: 1 for HMAC-SHA256, 2 for HMAC-SHA1;
/// 0 for an unknown scheme.
#[wasm_bindgen(js_name = schemeMac)]
pub fn scheme_mac(scheme_name: &str) -> u32 {
    match scheme_name.parse::<Scheme>().map(|s| s.rules().algorithm()) {
        Ok(Algorithm::HmacSha256) => 1,
        Ok(Algorithm::HmacSha1) => 2,
        Err(_) => 0,
    }
}

/// The key bytes a secret string decodes to under `scheme_name`'s rule, the same that
/// `webhookAddSecret` keys a verifier with: for a host that computes the MAC, which keeps
/// them where they cannot be read back (node:crypto's KeyObject). Nothing (the error kept)
/// if the secret is not valid. No verifier hands out its keys: this only decodes what the
/// caller already holds.
#[wasm_bindgen(js_name = secretKeyBytes)]
pub fn secret_key_bytes(scheme_name: &str, secret: &str) -> Option<Vec<u8>> {
    let scheme: Scheme = keep(scheme_name.parse())?;
    keep(crate::webhook::key_bytes(scheme, secret))
}

/// For a MAC computed by the host: reads the header values at the start of the request
/// buffer (`h0..h2` as for `webhookVerify`, no body before them) and writes right after
/// them the bytes the scheme signs before the body. Returns their length, or -1 (the
/// error kept) when the request fails before any hashing, as `webhookVerify` would, or
/// the buffer has no room for them (the shell leaves as much room as the headers take).
#[wasm_bindgen(js_name = webhookSignedPrefix)]
pub fn webhook_signed_prefix(handle: u32, h0: i32, h1: i32, h2: i32) -> i32 {
    let mut buffer = locked(&REQUEST);
    let (values, end) = header_values(&buffer, 0, [h0, h1, h2]);
    let mut prefix = Vec::new();
    let read = with_webhook(handle, |w| {
        let headers = Positional {
            names: w.scheme().header_names(),
            values,
        };
        w.signed_prefix(&headers, &mut prefix)
    });
    if read.is_none() {
        return -1;
    }
    match buffer.get_mut(end..end + prefix.len()) {
        Some(room) => {
            room.copy_from_slice(&prefix);
            prefix.len() as i32
        }
        None => {
            keep::<()>(Err(Error::BodyTooLarge));
            -1
        }
    }
}

/// `webhookVerify` with the MACs computed by the host: the request buffer holds the header
/// values (as for `webhookSignedPrefix`), then `tags_len` bytes of MACs over the signed
/// bytes, one per key in the order they were added. They are compared with the header's
/// signatures in constant time; `false` (the error kept) if the request is not accepted.
#[wasm_bindgen(js_name = webhookVerifyTags)]
pub fn webhook_verify_tags(
    handle: u32,
    h0: i32,
    h1: i32,
    h2: i32,
    tags_len: usize,
    now_seconds: f64,
) -> bool {
    let buffer = locked(&REQUEST);
    let (values, end) = header_values(&buffer, 0, [h0, h1, h2]);
    let tags = buffer
        .get(end..end.saturating_add(tags_len))
        .unwrap_or_default();
    with_webhook(handle, |w| {
        let headers = Positional {
            names: w.scheme().header_names(),
            values,
        };
        w.check_tags(tags, &headers, now_seconds as i64)
    })
    .is_some()
}

/// The signature doctor's report (a plain object), or `null` for a freed handle;
/// `headers` is every request header as a flat list `[name, value, name, value, ...]`.
#[cfg(feature = "tools")]
#[wasm_bindgen(js_name = webhookDiagnose)]
pub fn webhook_diagnose(
    handle: u32,
    body: &[u8],
    headers: Vec<String>,
    now_seconds: f64,
) -> JsValue {
    let pairs: Vec<(&str, &str)> = headers
        .chunks_exact(2)
        .map(|kv| (kv[0].as_str(), kv[1].as_str()))
        .collect();
    with_webhook(handle, |w| Ok(w.diagnose(body, &pairs, now_seconds as i64)))
        .and_then(|report| serde_wasm_bindgen::to_value(&report).ok())
        .unwrap_or(JsValue::NULL)
}

/// The headers in pasted text (`HeaderBlock::parse`): `{ headers: [[name, value], ...],
/// skipped: [[line, text], ...] }`.
#[cfg(feature = "tools")]
#[wasm_bindgen(js_name = parseHeaderBlock)]
pub fn parse_header_block(text: &str) -> JsValue {
    serde_wasm_bindgen::to_value(&crate::HeaderBlock::parse(text)).unwrap_or(JsValue::NULL)
}

/// Signs `body`: the headers as an object (names lower-case), or nothing (the error
/// kept) for a timestamp that is not a finite number or an id the scheme cannot carry.
#[cfg(feature = "tools")]
#[wasm_bindgen(js_name = webhookSign)]
pub fn webhook_sign(handle: u32, body: &[u8], id: &str, timestamp: f64) -> Option<js_sys::Object> {
    if !timestamp.is_finite() {
        return keep(Err(Error::InvalidOption(
            "timestamp must be a finite number",
        )));
    }
    let headers = with_webhook(handle, |w| w.sign(body, id, timestamp as i64))?;
    let object = js_sys::Object::new();
    for (name, value) in headers {
        // Setting a property on a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&object, &name.to_ascii_lowercase().into(), &value.into());
    }
    Some(object)
}
