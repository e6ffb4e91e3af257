//! Svix: the Standard Webhooks rule (see `standard.rs`) under `svix-` header names. Like
//! the `svix` library, it reads the `webhook-` names when `svix-signature` is absent (Svix
//! can send either).

use super::standard::{StandardRule, STANDARD_NAMES};

pub(crate) const SVIX: StandardRule = StandardRule {
    names: ["svix-signature", "svix-id", "svix-timestamp"],
    alternate: Some(STANDARD_NAMES),
};
