//! Standard Webhooks (<https://www.standardwebhooks.com>).
//!
//! Headers `webhook-id`, `webhook-timestamp`, `webhook-signature`; the signature header is a
//! space-separated list of `v1,<base64 HMAC-SHA256>` (and, with the `ed25519` feature,
//! `v1a,<base64 Ed25519 signature>`: see `webhook/key.rs`); the signed bytes are
//! `{id}.{timestamp}.{body}`; the key is `whsec_<base64>` decoded (or a `whpk_` / `whsk_`
//! Ed25519 key for `v1a`). Svix uses the same rule
//! with `svix-` header names (see `svix.rs`).

use super::{
    parse_timestamp, required, split_once, Encoding, Envelope, KeyForm, Rules, TimestampField,
};
use crate::{Error, Headers};
use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// The three header names of a Standard-Webhooks-shaped scheme, signature first.
pub(crate) type Names = [&'static str; 3];

/// The Standard Webhooks rule under a set of header names, and optionally a second set
/// read when the first set's signature header is absent.
pub(crate) struct StandardRule {
    pub names: Names,
    pub alternate: Option<Names>,
}

pub(crate) const STANDARD_NAMES: Names = ["webhook-signature", "webhook-id", "webhook-timestamp"];

pub(crate) const STANDARD: StandardRule = StandardRule {
    names: STANDARD_NAMES,
    alternate: None,
};

impl Rules for StandardRule {
    fn key_form(&self) -> KeyForm {
        KeyForm::Base64
    }
    fn encoding(&self) -> Encoding {
        Encoding::Base64
    }
    fn header_names(&'static self) -> &'static [&'static str] {
        &self.names
    }
    fn alternate_header_names(&'static self) -> Option<&'static [&'static str]> {
        self.alternate.as_ref().map(|names| names.as_slice())
    }
    fn id_header(&'static self) -> Option<&'static str> {
        Some(self.names[1])
    }
    fn timestamp_field(&'static self) -> Option<TimestampField> {
        Some(TimestampField::Header(self.names[2]))
    }
    fn read<'h>(&self, headers: &'h dyn Headers) -> Result<Envelope<'h>, Error> {
        let names = match self.alternate {
            Some(alt)
                if headers.header(self.names[0]).is_none() && headers.header(alt[0]).is_some() =>
            {
                alt
            }
            _ => self.names,
        };
        let [sig, id, ts] = names;
        let signatures = required(headers, sig)?;
        let id_value = required(headers, id)?;
        let raw_ts = required(headers, ts)?;
        Ok(Envelope {
            id: Some(id_value),
            timestamp: Some((raw_ts, parse_timestamp(raw_ts, ts)?)),
            signatures,
        })
    }
    fn signed_content(&self, env: &Envelope<'_>, body: &[u8], feed: &mut dyn FnMut(&[u8])) {
        feed(env.id.unwrap_or_default().as_bytes());
        feed(b".");
        feed(env.timestamp.map_or("", |(raw, _)| raw).as_bytes());
        feed(b".");
        feed(body);
    }
    fn signatures<'v>(&self, value: &'v str, each: &mut dyn FnMut(&'v str)) {
        entries(value, "v1", each);
    }
    #[cfg(feature = "ed25519")]
    fn asymmetric_signatures<'v>(&self, value: &'v str, each: &mut dyn FnMut(&'v str)) {
        entries(value, "v1a", each);
    }
    #[cfg(feature = "ed25519")]
    fn no_asymmetric_signature(&self) -> &'static str {
        "no v1a,<signature> entry (an Ed25519 signature, which whpk_ and whsk_ keys check)"
    }
    fn no_signature(&self) -> &'static str {
        "no v1,<signature> entry (v1a entries, Ed25519 signatures, are checked with a whpk_ public key)"
    }
    fn render(
        &self,
        id: &str,
        ts: &str,
        sigs: &[String],
        asymmetric: &[String],
    ) -> Vec<(&'static str, String)> {
        let [sig, id_name, ts_name] = self.names;
        let list: Vec<String> = sigs
            .iter()
            .map(|s| format!("v1,{s}"))
            .chain(asymmetric.iter().map(|s| format!("v1a,{s}")))
            .collect();
        vec![
            (id_name, id.to_owned()),
            (ts_name, ts.to_owned()),
            (sig, list.join(" ")),
        ]
    }
}

/// Calls `each` with the signature of every `<version>,<signature>` entry of `version` in
/// the space-separated list `value`.
fn entries<'v>(value: &'v str, version: &str, each: &mut dyn FnMut(&'v str)) {
    for entry in value.split_ascii_whitespace() {
        if let Some((v, sig)) = split_once(entry, b',') {
            if v == version {
                each(sig);
            }
        }
    }
}
