//! `fixtures list|show` (the event catalog) and what `trigger` sends: `--data` as given,
//! else the catalog's example edited by `--override`.

use std::process::ExitCode;

use clap::Subcommand;
use hookproof_sender::catalog::{self, Override};
use hookproof_sender::profile::Profile;
use serde_json::value::RawValue;

type Fallible<T> = Result<T, Box<dyn std::error::Error>>;

#[derive(Subcommand)]
pub enum Fixtures {
    /// Every event of a profile (of every profile without --profile), one line each:
    /// profile, event, description.
    List {
        #[arg(long)]
        profile: Option<String>,
    },
    /// An event's example payload, as JSON (its JSON Schema with --schema).
    Show {
        #[arg(value_name = "EVENT_TYPE")]
        event: String,
        #[arg(long, default_value = "vector")]
        profile: String,
        /// Print the event's JSON Schema instead.
        #[arg(long)]
        schema: bool,
    },
}

pub fn fixtures(command: &Fixtures) -> Fallible<ExitCode> {
    let c = catalog::catalog();
    match command {
        Fixtures::List { profile } => {
            if let Some(p) = profile.as_deref().filter(|p| c.profile(p).is_none()) {
                return Err(format!("--profile: no profile {p} in the catalog").into());
            }
            if let Some(p) = profile {
                note_scheme(p);
            }
            for e in c.entries(profile.as_deref()) {
                println!("{}\t{}\t{}", e.profile, e.event_type, e.description);
            }
        }
        Fixtures::Show {
            event,
            profile,
            schema,
        } => {
            let e = c.entry(profile, event).ok_or_else(|| {
                format!(
                    "no {event} event for the {profile} profile (fixtures list --profile {profile})"
                )
            })?;
            let shown = if *schema { &e.schema } else { &e.payload };
            note_scheme(profile);
            println!("{}", serde_json::to_string_pretty(shown)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// On stderr, for a profile that signs with another provider's scheme: which, and why
/// (Vector.co documents no signature). stdout stays the listing or the JSON.
fn note_scheme(profile: &str) {
    let Ok(p) = profile.parse::<Profile>() else {
        return;
    };
    if p.scheme().name() != p.name() {
        let why = catalog::catalog()
            .profile(p.name())
            .map_or("", |f| f.description.as_str());
        eprintln!(
            "note: {p} deliveries are signed with the {} scheme. {why}",
            p.scheme()
        );
    }
}

/// `trigger`'s `--data` (JSON, or `@FILE`), kept as given; `None` when not given.
pub fn raw_data(arg: Option<&str>) -> Result<Option<Box<RawValue>>, String> {
    let Some(arg) = arg else { return Ok(None) };
    let raw = match arg.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("--data @{path}: {e}"))
            .and_then(|text| {
                RawValue::from_string(text).map_err(|e| format!("--data @{path}: {e}"))
            })?,
        None => RawValue::from_string(arg.to_owned()).map_err(|e| format!("--data: {e}"))?,
    };
    Ok(Some(raw))
}

/// `trigger`'s `--override`s, each checked against the catalog's example of `event` for
/// `profile` (an unknown path is an error naming it).
pub fn overrides(given: &[String], profile: &str, event: &str) -> Result<Vec<Override>, String> {
    let overrides = given
        .iter()
        .map(|o| catalog::parse_override(o).map_err(|e| format!("--override {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    if overrides.is_empty() {
        return Ok(overrides);
    }
    match catalog::catalog().check_overrides(profile, event, &overrides) {
        Err(e @ catalog::OverrideError::NoFixture { .. }) => Err(format!(
            "--override: {e} (fixtures list --profile {profile})"
        )),
        Err(e) => Err(format!("--override {e}")),
        Ok(()) => Ok(overrides),
    }
}
