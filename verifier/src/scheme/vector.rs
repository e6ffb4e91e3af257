//! Vector: the Stripe rule (see `stripe.rs`) in `X-Vector-Signature`; deliveries also
//! carry `X-Vector-Delivery` (the delivery id, kept across retries) and `X-Vector-Event`.

use super::{stripe, Envelope, Rules, TimestampField};
use crate::{Error, Headers};
use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

pub(crate) const HEADER: &str = "X-Vector-Signature";
pub(crate) const DELIVERY_HEADER: &str = "X-Vector-Delivery";

pub(crate) struct Vector;

impl Rules for Vector {
    fn header_names(&'static self) -> &'static [&'static str] {
        &[HEADER, DELIVERY_HEADER]
    }
    fn id_header(&'static self) -> Option<&'static str> {
        Some(DELIVERY_HEADER)
    }
    fn timestamp_field(&'static self) -> Option<TimestampField> {
        Some(stripe::timestamp_field(HEADER))
    }
    fn read<'h>(&self, headers: &'h dyn Headers) -> Result<Envelope<'h>, Error> {
        let mut env = stripe::read(HEADER, headers)?;
        env.id = headers.header(DELIVERY_HEADER);
        Ok(env)
    }
    fn signed_content(&self, env: &Envelope<'_>, body: &[u8], feed: &mut dyn FnMut(&[u8])) {
        stripe::signed_content(env, body, feed)
    }
    fn signatures<'v>(&self, value: &'v str, each: &mut dyn FnMut(&'v str)) {
        stripe::signatures(value, each)
    }
    fn no_signature(&self) -> &'static str {
        stripe::NO_SIGNATURE
    }
    fn render(
        &self,
        id: &str,
        ts: &str,
        sigs: &[String],
        _asymmetric: &[String],
    ) -> Vec<(&'static str, String)> {
        vec![
            (DELIVERY_HEADER, id.to_owned()),
            (HEADER, stripe::render(ts, sigs)),
        ]
    }
}
