//! `trigger`: one signed event to one URL, each attempt printed as it happens (like
//! `stripe trigger`, offline): one attempt unless `--retries` or `--retry-schedule`.

use std::process::ExitCode;

use clap::Args;
use hookproof_sender::api::models::{CreateWebhook, Wait};
use hookproof_sender::clock::now_ms;
use hookproof_sender::delivery::{payload, Notice};
use hookproof_sender::ids::new_id;
use hookproof_sender::store::{DeliveryStatus, Outcome};
use hookproof_sender::{app, DbLocation};

use super::serve::{config, DeliveryArgs};
use crate::Fallible;

#[derive(Args)]
pub struct TriggerArgs {
    /// The event type, e.g. order.created.
    #[arg(value_name = "EVENT_TYPE")]
    event: String,
    /// Where to POST; its userinfo (https://user:p%40ss@host/) is sent as
    /// Authorization: Basic, as curl sends it.
    #[arg(long)]
    url: String,
    /// Signing secret; generated and printed when omitted.
    #[arg(long, env = "HOOKPROOF_SECRET", hide_env_values = true)]
    secret: Option<String>,
    /// Envelope and signature: vector, standard, svix, stripe, github, vercel, shopify,
    /// slack, generic, vectorco (Vector.co's events, signed with the generic scheme).
    #[arg(long, default_value = "vector")]
    profile: String,
    /// http, or slack for a Block Kit message to a Slack incoming webhook.
    #[arg(long, alias = "type", value_name = "KIND", default_value = "http")]
    kind: String,
    /// Event data, JSON, sent byte for byte (inside the profile's envelope if it has
    /// one); `@FILE` reads a file. Default: the catalog's example of the event for the
    /// profile (`fixtures list`), with fresh ids and times.
    #[arg(long)]
    data: Option<String>,
    /// Edit the catalog's example: PATH=VALUE, PATH dotted keys and [n] indexes
    /// (data.object.amount_paid=5000), VALUE JSON or else a string. Repeatable.
    #[arg(long = "override", value_name = "PATH=VALUE", conflicts_with = "data")]
    overrides: Vec<String>,
    /// Retry failures on the profile's schedule (see serve --help), as the provider would;
    /// default: one attempt.
    #[arg(long)]
    retries: bool,
    /// Waits before attempts 1, 2, ..., comma-separated (e.g. 0,5s,1m), instead of one
    /// attempt or the profile's schedule.
    #[arg(long, value_name = "LIST", conflicts_with = "retries")]
    retry_schedule: Option<String>,
    #[command(flatten)]
    delivery: DeliveryArgs,
}

pub async fn run(args: TriggerArgs) -> Fallible<ExitCode> {
    let data = super::fixtures::raw_data(args.data.as_deref())?;
    let overrides = super::fixtures::overrides(&args.overrides, &args.profile, &args.event)?;
    let app = app(&config(&args.delivery, DbLocation::Memory))?;
    let given_secret = args.secret.is_some();
    // One attempt unless asked for more: a receiver that is not running yet would
    // otherwise hold the command for the profile's whole schedule (hours; stripe: days).
    let retry_schedule = match (&args.retry_schedule, args.retries) {
        (Some(list), _) => Some(
            list.split(',')
                .map(|w| Wait::Duration(w.trim().to_owned()))
                .collect(),
        ),
        (None, true) => None,
        (None, false) => Some(vec![Wait::Seconds(0.0)]),
    };
    let webhook = app
        .upsert_webhook(CreateWebhook {
            url: args.url,
            kind: Some(args.kind),
            profile: Some(args.profile),
            secret: args.secret,
            events: vec!["*".into()],
            retry_schedule,
            ..CreateWebhook::default()
        })
        .await
        .map_err(|e| match e.field.as_deref() {
            Some(f) => {
                let flag = f.split('[').next().unwrap_or(f).replace('_', "-");
                format!("--{flag}: {}", e.message)
            }
            None => e.message,
        })?;
    if !given_secret {
        println!("secret {}", webhook.secret);
    }
    let mut notices = app.engine.subscribe();
    let delivery = app
        .engine
        .enqueue(
            &webhook,
            &new_id("evt"),
            &args.event,
            match &data {
                Some(raw) => payload::Data::Given(raw),
                None => payload::Data::Fixture(&overrides),
            },
        )
        .await?;
    println!(
        "delivery {} ({} {}) to {}",
        delivery.id,
        webhook.profile,
        args.event,
        hookproof_sender::mask::url(&webhook.url)
    );
    loop {
        let Notice::Attempt {
            attempt: a,
            delivery: d,
        } = notices.recv().await?
        else {
            continue;
        };
        let refused = a.outcome == Outcome::ConnectionError
            && a.error
                .as_deref()
                .is_some_and(|e| e.to_ascii_lowercase().contains("refused"));
        if refused && d.status == DeliveryStatus::Failed {
            println!(
                "nothing is listening at {}: start your receiver first",
                hookproof_sender::mask::url(&webhook.url)
            );
            return Ok(ExitCode::FAILURE);
        }
        let result = match (a.outcome, a.status_code) {
            (Outcome::Success, Some(code)) => format!("ok {code}"),
            // The receiver's own words, which usually say why (a verification error).
            (_, Some(code)) => match a.response_body.as_deref().map(str::trim) {
                Some(body) if !body.is_empty() => {
                    format!("failed {code} {}", super::output::printable(body, 200))
                }
                _ => format!("failed {code}"),
            },
            _ if refused => "nothing is listening (connection refused)".to_owned(),
            _ => format!(
                "failed {}",
                a.error.as_deref().unwrap_or("without an answer")
            ),
        };
        let next = match a.next_attempt_at {
            Some(at) => format!("; retry in {} ms", (at - now_ms()).max(0)),
            None => String::new(),
        };
        println!(
            "attempt {}/{}: {result} in {} ms{next}",
            a.attempt, d.max_attempts, a.response_time_ms
        );
        match d.status {
            DeliveryStatus::Pending => continue,
            DeliveryStatus::Success => {
                println!("delivered after {} attempt(s)", d.attempts);
                return Ok(ExitCode::SUCCESS);
            }
            DeliveryStatus::Failed => {
                println!("failed after {} attempt(s)", d.attempts);
                return Ok(ExitCode::FAILURE);
            }
        }
    }
}
