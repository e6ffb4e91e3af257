//! The signature schemes. Each file in this folder defines one provider's rule, for
//! signing and verifying alike: which headers carry what, which bytes are signed, how the
//! MAC is encoded. Everything else (keys, comparison, tolerance) lives in `webhook/`.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
mod generic;
mod github;
mod shopify;
mod slack;
mod standard;
mod stripe;
mod svix;
mod vector;
mod vercel;

use core::fmt;
use core::str::FromStr;

use crate::{Error, Headers};

/// A webhook signature scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`.
    Standard,
    /// Svix: Standard Webhooks with `svix-` header names.
    Svix,
    /// Stripe: `Stripe-Signature: t=<unix>,v1=<hex>`, signed `{t}.{body}`.
    Stripe,
    /// Vector: as Stripe, in `X-Vector-Signature`.
    Vector,
    /// GitHub: `X-Hub-Signature-256: sha256=<hex>` of the body.
    Github,
    /// Vercel: `x-vercel-signature: <hex HMAC-SHA1>` of the body.
    Vercel,
    /// Slack: `X-Slack-Signature: v0=<hex>` of `v0:{ts}:{body}`.
    Slack,
    /// Shopify: `X-Shopify-Hmac-Sha256: <base64>` of the body.
    Shopify,
    /// Generic: `X-Webhook-Signature: <hex HMAC-SHA256>` of the body.
    Generic,
}

impl Scheme {
    /// Every scheme, in the order `detect` tries them.
    pub const ALL: [Scheme; 9] = [
        Scheme::Standard,
        Scheme::Svix,
        Scheme::Stripe,
        Scheme::Vector,
        Scheme::Github,
        Scheme::Slack,
        Scheme::Shopify,
        Scheme::Vercel,
        Scheme::Generic,
    ];

    /// The scheme's name as used in options and on the CLI: `"standard"`, `"stripe"`, ...
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Standard => "standard",
            Scheme::Svix => "svix",
            Scheme::Stripe => "stripe",
            Scheme::Vector => "vector",
            Scheme::Github => "github",
            Scheme::Vercel => "vercel",
            Scheme::Slack => "slack",
            Scheme::Shopify => "shopify",
            Scheme::Generic => "generic",
        }
    }

    /// The header that carries the signature(s).
    pub fn signature_header(self) -> &'static str {
        self.rules().header_names()[0]
    }

    /// Every header `verify` reads, signature header first, in their usual spelling.
    pub fn header_names(self) -> &'static [&'static str] {
        self.rules().header_names()
    }

    /// The names `verify` reads instead of [`Scheme::header_names`] (in the same order)
    /// when the signature header is absent: `svix` reads the `webhook-` headers of
    /// Standard Webhooks then, as the `svix` library does. `None` for the other schemes.
    pub fn alternate_header_names(self) -> Option<&'static [&'static str]> {
        self.rules().alternate_header_names()
    }

    /// The header that carries the provider's delivery id (kept the same across retries),
    /// if the scheme has one: `webhook-id`, `svix-id`, `X-Vector-Delivery`,
    /// `X-GitHub-Delivery`, `X-Shopify-Webhook-Id`. Svix reads `webhook-id` instead with its
    /// alternate names ([`Scheme::alternate_header_names`], at the same place).
    pub fn id_header(self) -> Option<&'static str> {
        self.rules().id_header()
    }

    /// Where the signed timestamp is written; `None` for the schemes that sign none.
    pub fn timestamp_field(self) -> Option<TimestampField> {
        self.rules().timestamp_field()
    }

    /// How a secret string becomes key bytes.
    pub fn key_form(self) -> KeyForm {
        self.rules().key_form()
    }

    /// Whether the scheme takes Standard Webhooks' Ed25519 keys (`whpk_`, `whsk_`) and checks
    /// their `v1a` signatures, with the `ed25519` feature: standard and svix.
    pub fn takes_ed25519_keys(self) -> bool {
        self.rules().key_form() == KeyForm::Base64
    }

    /// Whether the scheme signs a timestamp (and so checks the tolerance).
    pub fn is_timestamped(self) -> bool {
        self.timestamp_field().is_some()
    }

    /// The scheme whose signature header is present, if any.
    ///
    /// ```
    /// use hookproof::Scheme;
    /// let headers = [("Stripe-Signature", "t=1,v1=00")];
    /// assert_eq!(Scheme::detect(&headers[..]), Some(Scheme::Stripe));
    /// ```
    pub fn detect<H: Headers + ?Sized>(headers: &H) -> Option<Scheme> {
        Scheme::ALL
            .into_iter()
            .find(|s| headers.header(s.signature_header()).is_some())
    }

    /// Reads what a request's headers carry under this scheme, without a key: what a
    /// sender must put there. Fails as `verify` does on a missing header, a timestamp that
    /// is not whole Unix seconds, or a signature header with no entry in the scheme's format
    /// (an entry whose MAC does not decode to the algorithm's length does not count).
    ///
    /// ```
    /// use hookproof::{Scheme, Webhook};
    /// let wh = Webhook::new(Scheme::Stripe, "whsec_x")?;
    /// let headers = wh.sign(b"{}", "evt_1", 1_700_000_000)?;
    /// let read = Scheme::Stripe.read(&headers)?;
    /// assert_eq!((read.timestamp, read.signatures), (Some(1_700_000_000), 1));
    /// # Ok::<(), hookproof::Error>(())
    /// ```
    pub fn read<H: Headers + ?Sized>(self, headers: &H) -> Result<SignedHeaders, Error> {
        let headers = crate::webhook::DynHeaders(headers);
        let rules = self.rules();
        let env = rules.read(&headers)?;
        let mut buf = [0u8; crate::webhook::MAX_TAG];
        let tag_len = match rules.algorithm() {
            Algorithm::HmacSha256 => 32,
            Algorithm::HmacSha1 => 20,
        };
        let mut signatures = 0usize;
        rules.signatures(env.signatures, &mut |sig| {
            if crate::webhook::decode_signature(rules.encoding(), sig, &mut buf) == Some(tag_len) {
                signatures += 1;
            }
        });
        #[cfg(feature = "ed25519")]
        rules.asymmetric_signatures(env.signatures, &mut |_| signatures += 1);
        if signatures == 0 {
            return Err(Error::InvalidHeader {
                header: rules.header_names()[0],
                reason: rules.no_signature(),
            });
        }
        Ok(SignedHeaders {
            id: env.id.map(ToOwned::to_owned),
            timestamp: env.timestamp.map(|(_, ts)| ts),
            signatures,
        })
    }

    pub(crate) fn rules(self) -> &'static dyn Rules {
        match self {
            Scheme::Standard => &standard::STANDARD,
            Scheme::Svix => &svix::SVIX,
            Scheme::Stripe => &stripe::Stripe,
            Scheme::Vector => &vector::Vector,
            Scheme::Github => &github::GITHUB,
            Scheme::Vercel => &vercel::VERCEL,
            Scheme::Slack => &slack::Slack,
            Scheme::Shopify => &shopify::SHOPIFY,
            Scheme::Generic => &generic::GENERIC,
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Scheme {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Scheme::ALL
            .into_iter()
            .find(|scheme| scheme.name().eq_ignore_ascii_case(s))
            .ok_or(Error::InvalidOption(
                "unknown scheme (expected one of standard, svix, stripe, vector, github, vercel, slack, shopify, generic)",
            ))
    }
}

/// What [`Scheme::read`] found in a request's headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    /// The delivery id, for schemes with an id header.
    pub id: Option<String>,
    /// The timestamp (Unix seconds), for timestamped schemes.
    pub timestamp: Option<i64>,
    /// How many signature entries are in the scheme's format.
    pub signatures: usize,
}

/// Which MAC a scheme uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Algorithm {
    HmacSha256,
    HmacSha1,
}

/// How a secret string becomes key bytes ([`Scheme::key_form`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyForm {
    /// `whsec_<base64>` or bare base64, decoded (standard, svix).
    Base64,
    /// The string's UTF-8 bytes as given, a `whsec_` prefix included (every other scheme).
    Utf8,
}

impl KeyForm {
    /// `"base64"` or `"utf8"`.
    pub fn name(self) -> &'static str {
        match self {
            KeyForm::Base64 => "base64",
            KeyForm::Utf8 => "utf8",
        }
    }
}

/// Where a scheme writes the signed timestamp ([`Scheme::timestamp_field`]): whole Unix
/// seconds, ASCII digits, at most [`crate::MAX_TIMESTAMP_DIGITS`] of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimestampField {
    /// A header of its own, whose whole value is the timestamp (`webhook-timestamp`).
    Header(&'static str),
    /// The `key=` item of a header's comma-separated `key=value` list (Stripe's `t=` in
    /// `Stripe-Signature`).
    Item {
        /// The header holding the list.
        header: &'static str,
        /// The item's key, without `=`.
        key: &'static str,
    },
}

impl TimestampField {
    /// The header the timestamp is in.
    pub fn header(self) -> &'static str {
        match self {
            TimestampField::Header(header) | TimestampField::Item { header, .. } => header,
        }
    }
}

/// How a MAC is written in a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Hex,
    Base64,
}

/// What `read` found in the headers.
pub(crate) struct Envelope<'h> {
    pub id: Option<&'h str>,
    /// The timestamp as written (it is signed as written) and its value.
    pub timestamp: Option<(&'h str, i64)>,
    /// The raw signature header value; `signatures` splits it.
    pub signatures: &'h str,
}

/// One provider's rule. Implemented by a unit struct in each scheme file.
pub(crate) trait Rules: Sync {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HmacSha256
    }
    fn key_form(&self) -> KeyForm {
        KeyForm::Utf8
    }
    fn encoding(&self) -> Encoding {
        Encoding::Hex
    }
    /// Headers read by `read`, the signature header first.
    fn header_names(&'static self) -> &'static [&'static str];
    /// Another set of names for the same headers, in the same order, that `read` uses
    /// when the signature header is absent under the first (svix: the `webhook-` ones).
    fn alternate_header_names(&'static self) -> Option<&'static [&'static str]> {
        None
    }
    /// The delivery-id header, if any (one of `header_names`).
    fn id_header(&'static self) -> Option<&'static str> {
        None
    }
    /// Where the signed timestamp is, if the rule signs one.
    fn timestamp_field(&'static self) -> Option<TimestampField> {
        None
    }
    /// Finds the id, timestamp and signature header value; checks their syntax.
    fn read<'h>(&self, headers: &'h dyn Headers) -> Result<Envelope<'h>, Error>;
    /// Feeds the signed bytes, in order, to `feed`.
    fn signed_content(&self, env: &Envelope<'_>, body: &[u8], feed: &mut dyn FnMut(&[u8]));
    /// Calls `each` with every encoded signature in the header value (others are skipped).
    fn signatures<'v>(&self, value: &'v str, each: &mut dyn FnMut(&'v str));
    /// Calls `each` with every encoded asymmetric (Ed25519) signature in the header value:
    /// Standard Webhooks' `v1a` entries. Other schemes have none.
    #[cfg(feature = "ed25519")]
    fn asymmetric_signatures<'v>(&self, _value: &'v str, _each: &mut dyn FnMut(&'v str)) {}
    /// Why the signature header is `invalid_header` for a Webhook keyed with Ed25519 keys
    /// alone when `asymmetric_signatures` finds nothing in it (only schemes that take such
    /// keys get here).
    #[cfg(feature = "ed25519")]
    fn no_asymmetric_signature(&self) -> &'static str {
        "no asymmetric signature"
    }
    /// Why the signature header is `invalid_header` when `signatures` finds nothing in it:
    /// the form this rule reads.
    fn no_signature(&self) -> &'static str;
    /// The provider sends one signature, never a list: `sign` signs with the first secret
    /// only, since the provider's own verifiers compare the whole header value with one
    /// MAC (`signatures` still reads a comma list, as HTTP joins a repeated header).
    fn one_signature(&self) -> bool {
        false
    }
    /// The headers that carry `signatures` and `asymmetric` ones (already encoded; only
    /// schemes with `asymmetric_signatures` get any) for a delivery `id` at `timestamp`.
    fn render(
        &self,
        id: &str,
        timestamp: &str,
        signatures: &[String],
        asymmetric: &[String],
    ) -> Vec<(&'static str, String)>;
}

/// The value of a header the scheme cannot do without.
pub(crate) fn required<'h>(headers: &'h dyn Headers, name: &'static str) -> Result<&'h str, Error> {
    match headers.header(name) {
        Some(v) if !trim(v).is_empty() => Ok(trim(v)),
        _ => Err(Error::MissingHeader(name)),
    }
}

/// The largest timestamp read ([`crate::MAX_TIMESTAMP_DIGITS`] digits, ~31.7 million
/// years): longer ones are refused before parsing, and `sign` makes nothing `verify` would
/// refuse.
pub(crate) const MAX_TIMESTAMP: i64 = 10_i64.pow(crate::MAX_TIMESTAMP_DIGITS as u32) - 1;

/// A Unix timestamp in whole seconds, as providers write it: ASCII digits only.
pub(crate) fn parse_timestamp(raw: &str, header: &'static str) -> Result<i64, Error> {
    if raw.is_empty()
        || raw.len() > crate::MAX_TIMESTAMP_DIGITS
        || !raw.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(Error::InvalidTimestamp(header));
    }
    raw.parse().map_err(|_| Error::InvalidTimestamp(header))
}

// Byte-wise splitting and trimming, for ASCII separators: `str`'s char pattern search
// (`split(',')`, `trim()`) would be ~1.5 kB of the verify module.

/// `value` without the ASCII whitespace around it (HTTP's optional whitespace is spaces
/// and tabs). Not inlined: it is used in several places.
#[inline(never)]
pub(crate) fn trim(value: &str) -> &str {
    value.trim_ascii()
}

/// The part of `value` before the first `separator` (an ASCII byte) and the part after.
pub(crate) fn split_once(value: &str, separator: u8) -> Option<(&str, &str)> {
    let at = value.bytes().position(|b| b == separator)?;
    Some((value.get(..at)?, value.get(at + 1..)?))
}

/// The parts of `value` between `separator`s (an ASCII byte), as `str::split` gives them.
pub(crate) fn split(value: &str, separator: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(value);
    core::iter::from_fn(move || {
        let part = rest?;
        let (before, after) =
            split_once(part, separator).map_or((part, None), |(b, a)| (b, Some(a)));
        rest = after;
        Some(before)
    })
}

/// Splits a `name=value` list (`t=1,v1=ab,v0=cd`) the way Stripe and Vector write it.
pub(crate) fn key_values(value: &str) -> impl Iterator<Item = (&str, &str)> {
    split(value, b',').filter_map(|item| split_once(trim(item), b'='))
}

/// Every non-empty comma-separated item: one header may carry several signatures, and
/// HTTP joins repeated headers with commas.
pub(crate) fn comma_list<'v>(value: &'v str, prefix: &str, each: &mut dyn FnMut(&'v str)) {
    for item in split(value, b',') {
        if let Some(sig) = trim(item).strip_prefix(prefix) {
            if !sig.is_empty() {
                each(sig);
            }
        }
    }
}

/// The rule of the schemes that sign the body alone and send the MAC in one header,
/// optionally prefixed (`sha256=`), with an optional delivery-id header. Each such
/// scheme's file declares its constant of this type.
pub(crate) struct BodyOnly {
    /// Every header read: the signature header first, then the delivery-id header if any.
    pub headers: &'static [&'static str],
    pub prefix: &'static str,
    pub algorithm: Algorithm,
    pub encoding: Encoding,
    /// `Rules::no_signature`.
    pub no_signature: &'static str,
}

impl BodyOnly {
    fn delivery_header(&self) -> Option<&'static str> {
        self.headers.get(1).copied()
    }
}

impl Rules for BodyOnly {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
    fn encoding(&self) -> Encoding {
        self.encoding
    }
    fn header_names(&'static self) -> &'static [&'static str] {
        self.headers
    }
    fn id_header(&'static self) -> Option<&'static str> {
        self.delivery_header()
    }
    fn read<'h>(&self, headers: &'h dyn Headers) -> Result<Envelope<'h>, Error> {
        Ok(Envelope {
            id: self.delivery_header().and_then(|h| headers.header(h)),
            timestamp: None,
            signatures: required(headers, self.headers[0])?,
        })
    }
    fn signed_content(&self, _env: &Envelope<'_>, body: &[u8], feed: &mut dyn FnMut(&[u8])) {
        feed(body)
    }
    fn one_signature(&self) -> bool {
        true
    }
    fn signatures<'v>(&self, value: &'v str, each: &mut dyn FnMut(&'v str)) {
        comma_list(value, self.prefix, each)
    }
    fn no_signature(&self) -> &'static str {
        self.no_signature
    }
    fn render(
        &self,
        id: &str,
        _ts: &str,
        sigs: &[String],
        _asymmetric: &[String],
    ) -> Vec<(&'static str, String)> {
        let list: Vec<String> = sigs.iter().map(|s| format!("{}{s}", self.prefix)).collect();
        let mut out = Vec::with_capacity(2);
        if let Some(delivery) = self.delivery_header() {
            out.push((delivery, id.to_owned()));
        }
        out.push((self.headers[0], list.join(", ")));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::{split, split_once, trim};
    use alloc::vec::Vec;
    use proptest::prelude::*;

    proptest! {
        // Any text, separators and whitespace (ASCII and not) included.
        #[test]
        fn byte_wise_splitting_is_strs(value in "[a-z=, \t\u{a0}\u{3000}é]{0,24}") {
            prop_assert_eq!(split(&value, b',').collect::<Vec<_>>(), value.split(',').collect::<Vec<_>>());
            prop_assert_eq!(split_once(&value, b'='), value.split_once('='));
            prop_assert_eq!(trim(&value), value.trim_matches(|c| c == ' ' || c == '\t'));
        }
    }
}
