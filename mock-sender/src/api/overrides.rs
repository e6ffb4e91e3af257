//! A request's `overrides` (`POST /v1/events`, `POST /v1/webhooks/{id}/test`): edits of
//! the catalog's example of the event, checked against the example of every profile they
//! are sent to before anything is sent.

use serde_json::{Map, Value};

use super::error::ApiError;
use crate::catalog::{catalog, Override, OverrideError};
use crate::profile::Profile;

/// The request's `overrides` as edits, in the order given; refused with `data`, which is
/// sent byte for byte and so has nothing to edit. None or `{}` given: no edit.
pub fn parse(given: Option<&Map<String, Value>>, data: bool) -> Result<Vec<Override>, ApiError> {
    let Some(given) = given.filter(|g| !g.is_empty()) else {
        return Ok(Vec::new());
    };
    if data {
        return Err(ApiError::invalid(
            "overrides",
            "overrides edit the catalog's example of the event, and data is sent byte for \
             byte instead of it: give one or the other",
        ));
    }
    given
        .iter()
        .map(|(path, value)| Override::new(path, value.clone()).map_err(|_| not_a_path(path)))
        .collect()
}

/// Whether `overrides` edit event `event` as each of `profiles` sends it: the catalog has
/// the event for the profile, and its body has every path.
pub fn check(
    overrides: &[Override],
    event: &str,
    profiles: impl IntoIterator<Item = Profile>,
) -> Result<(), ApiError> {
    if overrides.is_empty() {
        return Ok(());
    }
    let mut checked: Vec<Profile> = Vec::new();
    for p in profiles {
        if checked.contains(&p) {
            continue;
        }
        checked.push(p);
        catalog()
            .check_overrides(p.name(), event, overrides)
            .map_err(|e| refused(e, p.name(), event))?;
    }
    Ok(())
}

/// Whether `overrides` edit event `event` as at least one profile sends it: what an
/// event no webhook matches is checked against, so that a mistyped path is refused rather
/// than accepted unseen.
pub fn check_any(overrides: &[Override], event: &str) -> Result<(), ApiError> {
    if overrides.is_empty() {
        return Ok(());
    }
    let mut refusal = None;
    for p in Profile::ALL {
        match catalog().check_overrides(p.name(), event, overrides) {
            Ok(()) => return Ok(()),
            Err(OverrideError::NoFixture { .. }) => {}
            Err(e) => {
                refusal.get_or_insert_with(|| refused(e, p.name(), event));
            }
        }
    }
    Err(refusal.unwrap_or_else(|| {
        ApiError::invalid(
            "overrides",
            format!(
                "no profile's catalog has {event}, so there is no example to edit \
                 (GET /v1/event-types lists them); send data instead"
            ),
        )
    }))
}

/// The 400 for overrides of a test event the sender makes for the webhook (GitHub's
/// `ping`, which carries the hook's configuration) rather than sends as an example.
pub fn not_an_example(event: &str) -> ApiError {
    ApiError::invalid(
        "overrides",
        format!(
            "the {event} test event carries the webhook's configuration, not the catalog's \
             example: send it without overrides"
        ),
    )
}

/// The 400 for `e`, an override of event `event` of `profile`: its field the path
/// (`overrides.data.object.amount_paid`) where one path is at fault.
fn refused(e: OverrideError, profile: &str, event: &str) -> ApiError {
    match e {
        OverrideError::UnknownPath { path, missing } => ApiError::invalid(
            &format!("overrides.{path}"),
            format!(
                "the {profile} profile's {event} example has no `{missing}` (a path is \
                 relative to the body the profile sends: its payload in \
                 GET /v1/event-types?profile={profile})"
            ),
        ),
        OverrideError::BadPath(path) => not_a_path(&path),
        OverrideError::NoFixture { .. } => ApiError::invalid(
            "overrides",
            format!(
                "{e}, so there is no example to edit (GET /v1/event-types?profile={profile} \
                 lists its events); send data instead"
            ),
        ),
        OverrideError::NotPathValue(_) => ApiError::invalid("overrides", e.to_string()),
    }
}

fn not_a_path(path: &str) -> ApiError {
    ApiError::invalid(
        &format!("overrides.{path}"),
        "not a path: dotted keys and [n] indexes, like data.object.amount_paid",
    )
}
