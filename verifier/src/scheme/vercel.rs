//! Vercel: `x-vercel-signature: <hex HMAC-SHA1 of the body>`, key as UTF-8.

use super::{comma_list, read_body_only, Algorithm, Envelope, Rules};
use crate::{Error, Headers};

const HEADER: &str = "x-vercel-signature";

pub(crate) struct Vercel;

impl Rules for Vercel {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HmacSha1
    }
    fn header_names(&self) -> &'static [&'static str] {
        &[HEADER]
    }
    fn read<'h>(&self, headers: &'h dyn Headers) -> Result<Envelope<'h>, Error> {
        read_body_only(headers, HEADER)
    }
    fn signed_content(&self, _env: &Envelope<'_>, body: &[u8], feed: &mut dyn FnMut(&[u8])) {
        feed(body)
    }
    fn signatures<'v>(&self, value: &'v str, each: &mut dyn FnMut(&'v str)) {
        comma_list(value, "", each)
    }
    fn render(&self, _id: &str, _ts: &str, sigs: &[String]) -> Vec<(&'static str, String)> {
        vec![(HEADER, sigs.join(", "))]
    }
}
