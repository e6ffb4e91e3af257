//! Svix: the Standard Webhooks rule (see `standard.rs`) under `svix-` header names.

use super::standard::StandardRule;

pub(crate) const SVIX: StandardRule = StandardRule {
    names: ["svix-signature", "svix-id", "svix-timestamp"],
};
