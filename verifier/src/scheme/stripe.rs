//! Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...][,v0=...]`.
//!
//! The signed bytes are `{t}.{body}`, HMAC-SHA256, hex; the key is the secret string's
//! UTF-8 bytes as given, `whsec_` prefix included. Only `v1` entries count. Vector uses the
//! same rule in `X-Vector-Signature` (see `vector.rs`).

use super::{key_values, parse_timestamp, required, Envelope, Rules, TimestampField};
use crate::{Error, Headers};
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

pub(crate) const HEADER: &str = "Stripe-Signature";
/// The key of the timestamp item: `t=<unix>`.
const TIMESTAMP_KEY: &str = "t";

pub(crate) struct Stripe;

impl Rules for Stripe {
    fn header_names(&'static self) -> &'static [&'static str] {
        &[HEADER]
    }
    fn timestamp_field(&'static self) -> Option<TimestampField> {
        Some(timestamp_field(HEADER))
    }
    fn read<'h>(&self, headers: &'h dyn Headers) -> Result<Envelope<'h>, Error> {
        read(HEADER, headers)
    }
    fn signed_content(&self, env: &Envelope<'_>, body: &[u8], feed: &mut dyn FnMut(&[u8])) {
        signed_content(env, body, feed)
    }
    fn signatures<'v>(&self, value: &'v str, each: &mut dyn FnMut(&'v str)) {
        signatures(value, each)
    }
    fn no_signature(&self) -> &'static str {
        NO_SIGNATURE
    }
    fn render(
        &self,
        _id: &str,
        ts: &str,
        sigs: &[String],
        _asymmetric: &[String],
    ) -> Vec<(&'static str, String)> {
        vec![(HEADER, render(ts, sigs))]
    }
}

/// `Rules::no_signature` of Stripe and Vector.
pub(crate) const NO_SIGNATURE: &str = "no v1=<signature> item";

/// The timestamp of Stripe's rule in the header `name`: its `t=` item.
pub(crate) fn timestamp_field(name: &'static str) -> TimestampField {
    TimestampField::Item {
        header: name,
        key: TIMESTAMP_KEY,
    }
}

pub(crate) fn read<'h>(
    name: &'static str,
    headers: &'h dyn Headers,
) -> Result<Envelope<'h>, Error> {
    let value = required(headers, name)?;
    let raw_ts = key_values(value)
        .find(|(k, _)| *k == TIMESTAMP_KEY)
        .map(|(_, v)| v)
        .ok_or(Error::InvalidHeader {
            header: name,
            reason: "no t=<timestamp> item",
        })?;
    Ok(Envelope {
        id: None,
        timestamp: Some((raw_ts, parse_timestamp(raw_ts, name)?)),
        signatures: value,
    })
}

pub(crate) fn signed_content(env: &Envelope<'_>, body: &[u8], feed: &mut dyn FnMut(&[u8])) {
    feed(env.timestamp.map_or("", |(raw, _)| raw).as_bytes());
    feed(b".");
    feed(body);
}

pub(crate) fn signatures<'v>(value: &'v str, each: &mut dyn FnMut(&'v str)) {
    for (k, v) in key_values(value) {
        if k == "v1" {
            each(v);
        }
    }
}

pub(crate) fn render(ts: &str, sigs: &[String]) -> String {
    let mut out = format!("{TIMESTAMP_KEY}={ts}");
    for sig in sigs {
        out.push_str(",v1=");
        out.push_str(sig);
    }
    out
}
