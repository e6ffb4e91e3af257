//! GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`, key as UTF-8.
//! Deliveries also carry `X-GitHub-Delivery` (a GUID) and `X-GitHub-Event`.

use super::{comma_list, read_body_only, Envelope, Rules};
use crate::{Error, Headers};

const HEADER: &str = "X-Hub-Signature-256";
const DELIVERY_HEADER: &str = "X-GitHub-Delivery";

pub(crate) struct Github;

impl Rules for Github {
    fn header_names(&self) -> &'static [&'static str] {
        &[HEADER, DELIVERY_HEADER]
    }
    fn read<'h>(&self, headers: &'h dyn Headers) -> Result<Envelope<'h>, Error> {
        let mut env = read_body_only(headers, HEADER)?;
        env.id = headers.header(DELIVERY_HEADER);
        Ok(env)
    }
    fn signed_content(&self, _env: &Envelope<'_>, body: &[u8], feed: &mut dyn FnMut(&[u8])) {
        feed(body)
    }
    fn signatures<'v>(&self, value: &'v str, each: &mut dyn FnMut(&'v str)) {
        comma_list(value, "sha256=", each)
    }
    fn render(&self, id: &str, _ts: &str, sigs: &[String]) -> Vec<(&'static str, String)> {
        let list: Vec<String> = sigs.iter().map(|s| format!("sha256={s}")).collect();
        vec![(DELIVERY_HEADER, id.to_owned()), (HEADER, list.join(", "))]
    }
}
