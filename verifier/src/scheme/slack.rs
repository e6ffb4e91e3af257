//! Slack: `X-Slack-Signature: v0=<hex>` of `v0:{ts}:{body}`, timestamp in
//! `X-Slack-Request-Timestamp`, key (the signing secret) as UTF-8.

use super::{comma_list, parse_timestamp, required, Envelope, Rules, TimestampField};
use crate::{Error, Headers};
use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

const HEADER: &str = "X-Slack-Signature";
const TIMESTAMP_HEADER: &str = "X-Slack-Request-Timestamp";

pub(crate) struct Slack;

impl Rules for Slack {
    fn header_names(&'static self) -> &'static [&'static str] {
        &[HEADER, TIMESTAMP_HEADER]
    }
    fn timestamp_field(&'static self) -> Option<TimestampField> {
        Some(TimestampField::Header(TIMESTAMP_HEADER))
    }
    fn read<'h>(&self, headers: &'h dyn Headers) -> Result<Envelope<'h>, Error> {
        let signatures = required(headers, HEADER)?;
        let raw_ts = required(headers, TIMESTAMP_HEADER)?;
        Ok(Envelope {
            id: None,
            timestamp: Some((raw_ts, parse_timestamp(raw_ts, TIMESTAMP_HEADER)?)),
            signatures,
        })
    }
    fn signed_content(&self, env: &Envelope<'_>, body: &[u8], feed: &mut dyn FnMut(&[u8])) {
        feed(b"v0:");
        feed(env.timestamp.map_or("", |(raw, _)| raw).as_bytes());
        feed(b":");
        feed(body);
    }
    fn signatures<'v>(&self, value: &'v str, each: &mut dyn FnMut(&'v str)) {
        comma_list(value, "v0=", each)
    }
    fn no_signature(&self) -> &'static str {
        "no v0=<signature> item"
    }
    fn one_signature(&self) -> bool {
        true
    }
    fn render(
        &self,
        _id: &str,
        ts: &str,
        sigs: &[String],
        _asymmetric: &[String],
    ) -> Vec<(&'static str, String)> {
        let list: Vec<String> = sigs.iter().map(|s| format!("v0={s}")).collect();
        vec![(TIMESTAMP_HEADER, ts.to_owned()), (HEADER, list.join(", "))]
    }
}
