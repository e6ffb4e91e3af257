//! Svix: the Standard Webhooks rule (see `standard.rs`) under `svix-` header names.

use super::standard::{self, Names};
use super::{Encoding, Envelope, KeyForm, Rules};
use crate::{Error, Headers};

const NAMES: Names = ["svix-signature", "svix-id", "svix-timestamp"];

pub(crate) struct Svix;

impl Rules for Svix {
    fn key_form(&self) -> KeyForm {
        KeyForm::Base64
    }
    fn encoding(&self) -> Encoding {
        Encoding::Base64
    }
    fn header_names(&self) -> &'static [&'static str] {
        &NAMES
    }
    fn read<'h>(&self, headers: &'h dyn Headers) -> Result<Envelope<'h>, Error> {
        standard::read(&NAMES, headers)
    }
    fn signed_content(&self, env: &Envelope<'_>, body: &[u8], feed: &mut dyn FnMut(&[u8])) {
        standard::signed_content(env, body, feed)
    }
    fn signatures<'v>(&self, value: &'v str, each: &mut dyn FnMut(&'v str)) {
        standard::signatures(value, each)
    }
    fn render(&self, id: &str, ts: &str, sigs: &[String]) -> Vec<(&'static str, String)> {
        standard::render(&NAMES, id, ts, sigs)
    }
}
