//! The CLI as a client of a running sender (`serve`): `webhooks list|create|delete`,
//! `events send`, `deliveries list|show|retry` and `logs tail`, over its REST API at
//! `--api` (like `stripe events resend` and `stripe logs tail`). `--json` prints the API's
//! JSON for scripts; otherwise tables, coloured on a terminal. The longer commands live here
//! too, a file each: `serve`, `trigger`, `inbox`, `fixtures` (the event catalog).

pub mod client;
pub mod fixtures;
pub mod inbox;
pub mod output;
pub mod serve;
pub mod trigger;

use std::process::ExitCode;

use clap::{Args, Subcommand};
use hookproof_sender::catalog;
use hyper::Method;
use serde_json::value::RawValue;
use serde_json::{json, Value};

use client::{query, segment, Api, DEFAULT_API};
use output::{clock, status_colour, table, text, Cell, Style};

pub(crate) type Fallible<T> = Result<T, Box<dyn std::error::Error>>;

/// Where the sender is, and how to print: shared by every client command.
#[derive(Args)]
pub struct ApiArgs {
    /// The running sender's address; its userinfo (http://user:pass@host/, a sender
    /// behind a proxy asking for Basic auth) is sent as Authorization: Basic unless
    /// --token is given.
    #[arg(long, value_name = "URL", env = "HOOKPROOF_SENDER_URL", default_value = DEFAULT_API, global = true)]
    api: String,
    /// The sender's --token, when it has one.
    #[arg(
        long,
        env = "HOOKPROOF_SENDER_TOKEN",
        hide_env_values = true,
        global = true
    )]
    token: Option<String>,
    /// Print the API's JSON (`logs tail`: one JSON object per line) instead of tables.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Args)]
pub struct Webhooks {
    #[command(flatten)]
    api: ApiArgs,
    #[command(subcommand)]
    command: WebhooksCommand,
}

#[derive(Subcommand)]
enum WebhooksCommand {
    /// Every webhook.
    List,
    /// Create a webhook; prints its id and secret (shown only now).
    Create(CreateArgs),
    /// Delete a webhook (its pending deliveries then fail).
    Delete {
        #[arg(value_name = "WEBHOOK_ID")]
        id: String,
    },
}

#[derive(Args)]
struct CreateArgs {
    /// Where deliveries go.
    #[arg(long)]
    url: String,
    /// Event names, prefix.* or *, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "*")]
    events: Vec<String>,
    /// vector (default), standard, svix, stripe, github, vercel, shopify, slack, generic,
    /// vectorco (Vector.co's events, signed with the generic scheme).
    #[arg(long)]
    profile: Option<String>,
    /// Vector.co segment ids, comma-separated: an event naming a segment comes only for
    /// these. Default: every segment.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    segments: Option<Vec<String>>,
    /// The signing secret; generated when omitted.
    #[arg(long, env = "HOOKPROOF_SECRET", hide_env_values = true)]
    secret: Option<String>,
    /// Waits before attempts 1, 2, ..., comma-separated (0,5s,1m); default: the profile's.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    retry_schedule: Option<Vec<String>>,
    /// A fixed id (created, or replaced when it exists).
    #[arg(long)]
    id: Option<String>,
    #[arg(long)]
    description: Option<String>,
}

#[derive(Args)]
pub struct Events {
    #[command(flatten)]
    api: ApiArgs,
    #[command(subcommand)]
    command: EventsCommand,
}

#[derive(Subcommand)]
enum EventsCommand {
    /// Send an event: one delivery per enabled webhook whose events match.
    Send {
        /// The event type, e.g. invoice.paid.
        #[arg(value_name = "EVENT_TYPE")]
        event: String,
        /// Event data, JSON sent as written (number text, key order); `@FILE` reads a
        /// file. Without it, each webhook gets the catalog's example of the event for its
        /// profile (`fixtures show`), or `{}` for an event the catalog does not have.
        #[arg(long)]
        data: Option<String>,
        /// Edit the catalog's example for every webhook: PATH=VALUE, PATH dotted keys and
        /// [n] indexes relative to the body its profile sends (data.object.amount_paid=5000
        /// for stripe), VALUE JSON or else a string. Repeatable. A path some webhook's
        /// example lacks refuses the event: nothing is sent.
        #[arg(long = "override", value_name = "PATH=VALUE", conflicts_with = "data")]
        overrides: Vec<String>,
        /// Only to this webhook (repeatable).
        #[arg(long = "webhook", value_name = "WEBHOOK_ID")]
        webhooks: Vec<String>,
    },
}

#[derive(Args)]
pub struct Deliveries {
    #[command(flatten)]
    api: ApiArgs,
    #[command(subcommand)]
    command: DeliveriesCommand,
}

#[derive(Subcommand)]
enum DeliveriesCommand {
    /// Deliveries, newest first.
    List {
        #[arg(long = "webhook", value_name = "WEBHOOK_ID")]
        webhook: Option<String>,
        /// pending, success or failed.
        #[arg(long)]
        status: Option<String>,
        /// Only this event type.
        #[arg(long, alias = "event")]
        event_type: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// One delivery: its state, its attempts and the body it sends.
    Show {
        #[arg(value_name = "DELIVERY_ID")]
        id: String,
    },
    /// Attempt now (also after the final failure), like `stripe events resend`.
    Retry {
        #[arg(value_name = "DELIVERY_ID")]
        id: String,
    },
}

#[derive(Args)]
pub struct Logs {
    #[command(flatten)]
    api: ApiArgs,
    #[command(subcommand)]
    command: LogsCommand,
}

#[derive(Subcommand)]
enum LogsCommand {
    /// Print deliveries and attempts as they happen (/v1/stream), until Ctrl-C or the
    /// sender stops.
    Tail {
        /// Only this webhook's.
        #[arg(long = "webhook", value_name = "WEBHOOK_ID")]
        webhook: Option<String>,
    },
}

fn api(args: &ApiArgs) -> Fallible<Api> {
    Ok(Api::new(&args.api, args.token.clone())?)
}

fn print_json(v: &Value) {
    println!("{}", output::json(v));
}

pub async fn webhooks(args: Webhooks) -> Fallible<ExitCode> {
    let api = api(&args.api)?;
    let style = Style::detect();
    match args.command {
        WebhooksCommand::List => {
            let list = api.call(Method::GET, "/v1/webhooks", None).await?;
            if args.api.json {
                print_json(&list);
            } else {
                let rows: Vec<Vec<Cell>> = items(&list)
                    .map(|w| {
                        let enabled = w["enabled"].as_bool().unwrap_or(false);
                        vec![
                            Cell::new(text(&w["id"])),
                            Cell::new(text(&w["profile"])),
                            Cell::coloured(
                                if enabled { "yes" } else { "no" },
                                if enabled { "" } else { "33" },
                            ),
                            Cell::new(events_of(w)),
                            Cell::new(text(&w["url"])),
                        ]
                    })
                    .collect();
                print!(
                    "{}",
                    table(style, &["ID", "PROFILE", "ENABLED", "EVENTS", "URL"], &rows)
                );
            }
        }
        WebhooksCommand::Create(c) => {
            let mut body = json!({ "url": c.url, "events": c.events });
            for (key, value) in [
                ("profile", c.profile),
                ("secret", c.secret),
                ("id", c.id),
                ("description", c.description),
            ] {
                if let Some(v) = value {
                    body[key] = json!(v);
                }
            }
            if let Some(schedule) = c.retry_schedule {
                body["retry_schedule"] = json!(schedule);
            }
            if let Some(segments) = c.segments {
                body["segments"] = json!(segments);
            }
            let w = api.call(Method::POST, "/v1/webhooks", Some(&body)).await?;
            if args.api.json {
                print_json(&w);
            } else {
                println!(
                    "created {} ({}) -> {}",
                    text(&w["id"]),
                    text(&w["profile"]),
                    output::printable(&text(&w["url"]), 200)
                );
                println!("secret {}", text(&w["secret"]));
            }
        }
        WebhooksCommand::Delete { id } => {
            api.call(
                Method::DELETE,
                &format!("/v1/webhooks/{}", segment(&id)),
                None,
            )
            .await?;
            if args.api.json {
                print_json(&json!({ "deleted": id }));
            } else {
                println!("deleted {}", output::printable(&id, 200));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn events(args: Events) -> Fallible<ExitCode> {
    let api = api(&args.api)?;
    let style = Style::detect();
    let EventsCommand::Send {
        event,
        data,
        overrides,
        webhooks,
    } = args.command;
    let data = data.as_deref().map(read_data).transpose()?;
    let mut edits = serde_json::Map::new();
    for o in &overrides {
        let o = catalog::parse_override(o).map_err(|e| format!("--override {e}"))?;
        // A path given again is applied last, with its last value, as trigger applies its
        // edits in order.
        edits.shift_remove(&o.path);
        edits.insert(o.path, o.value);
    }
    let overrides = edits;
    let body = SendEvent {
        event_type: &event,
        data: data.as_deref(),
        overrides: (!overrides.is_empty()).then_some(&overrides),
        webhook_ids: (!webhooks.is_empty()).then_some(&webhooks),
    };
    let body = serde_json::to_string(&body).map_err(|e| format!("--data: {e}"))?;
    let sent = api
        .call_text(Method::POST, "/v1/events", Some(body))
        .await?;
    if args.api.json {
        print_json(&sent);
        return Ok(ExitCode::SUCCESS);
    }
    let deliveries: Vec<&Value> = items(&sent["deliveries"]).collect();
    println!(
        "event {} ({}): {} deliver{}",
        text(&sent["id"]),
        output::printable(&text(&sent["type"]), 200),
        deliveries.len(),
        if deliveries.len() == 1 { "y" } else { "ies" }
    );
    if deliveries.is_empty() {
        println!("no enabled webhook wants this event (webhooks list shows their events)");
    } else {
        print!("{}", deliveries_table(style, &deliveries));
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn deliveries(args: Deliveries) -> Fallible<ExitCode> {
    let api = api(&args.api)?;
    let style = Style::detect();
    match args.command {
        DeliveriesCommand::List {
            webhook,
            status,
            event_type,
            limit,
        } => {
            let q = query(&[
                ("webhook_id", webhook),
                ("status", status),
                ("event_type", event_type),
                ("limit", Some(limit.to_string())),
            ]);
            let list = api
                .call(Method::GET, &format!("/v1/deliveries{q}"), None)
                .await?;
            if args.api.json {
                print_json(&list);
            } else {
                print!(
                    "{}",
                    deliveries_table(style, &items(&list).collect::<Vec<_>>())
                );
            }
        }
        DeliveriesCommand::Show { id } => {
            let path = format!("/v1/deliveries/{}", segment(&id));
            let d = api.call(Method::GET, &path, None).await?;
            let attempts = api
                .call(Method::GET, &format!("{path}/attempts"), None)
                .await?;
            if args.api.json {
                print_json(&json!({ "delivery": d, "attempts": attempts }));
            } else {
                print!("{}", show_delivery(style, &d, &attempts));
            }
        }
        DeliveriesCommand::Retry { id } => {
            let d = api
                .call(
                    Method::POST,
                    &format!("/v1/deliveries/{}/retry", segment(&id)),
                    None,
                )
                .await?;
            if args.api.json {
                print_json(&d);
            } else {
                println!(
                    "retrying {} (attempt {} of {}); `deliveries show {}` or `logs tail` for the answer",
                    text(&d["id"]),
                    d["attempts"].as_u64().unwrap_or(0) + 1,
                    text(&d["max_attempts"]),
                    text(&d["id"])
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn logs(args: Logs) -> Fallible<ExitCode> {
    let api = api(&args.api)?;
    let style = Style::detect();
    let LogsCommand::Tail { webhook } = args.command;
    if !args.api.json {
        eprintln!("following {} (Ctrl-C to stop)", api.base());
    }
    let json = args.api.json;
    api.follow(|name, data| {
        let for_webhook = webhook
            .as_deref()
            .is_none_or(|w| data["webhook_id"].as_str() == Some(w));
        if !for_webhook {
            return true;
        }
        if json {
            println!("{}", json!({ "event": name, "data": data }));
        } else if let Some(line) = tail_line(style, name, &data) {
            println!("{line}");
        }
        true
    })
    .await?;
    Ok(ExitCode::SUCCESS)
}

/// One line of `logs tail`.
fn tail_line(style: Style, name: &str, d: &Value) -> Option<String> {
    let p = |v: &Value| output::printable(&text(v), 200);
    match name {
        "delivery" => Some(format!(
            "{}  {}  {} {} -> {}",
            clock(&d["created_at"]),
            style.paint("1", "delivery"),
            p(&d["id"]),
            p(&d["event_type"]),
            p(&d["webhook_id"])
        )),
        "attempt" => {
            let outcome = text(&d["outcome"]);
            let answer = match d["status_code"].as_u64() {
                Some(code) => code.to_string(),
                None => p(&d["error"]),
            };
            let chaos = match d["chaos"].as_str() {
                Some(kind) => format!(" [{kind}]"),
                None => String::new(),
            };
            Some(format!(
                "{}  attempt {}{chaos}  {} {}  {} in {} ms -> {}",
                clock(&d["delivered_at"]),
                text(&d["attempt"]),
                p(&d["delivery_id"]),
                p(&d["event_type"]),
                style.paint(status_colour(&outcome), &format!("{outcome} {answer}")),
                text(&d["response_time_ms"]),
                style.paint(status_colour(&text(&d["status"])), &text(&d["status"]))
            ))
        }
        "lagged" => Some(format!(
            "(missed {} events: this terminal fell behind)",
            text(&d["missed"])
        )),
        _ => None,
    }
}

/// A webhook's events, and the segments it takes them of when it names some.
fn events_of(w: &Value) -> String {
    match w["segments"].as_array() {
        Some(s) if !s.is_empty() => {
            format!("{} (segments {})", text(&w["events"]), text(&w["segments"]))
        }
        _ => text(&w["events"]),
    }
}

fn items(v: &Value) -> impl Iterator<Item = &Value> {
    v.as_array().into_iter().flatten()
}

fn deliveries_table(style: Style, list: &[&Value]) -> String {
    let rows: Vec<Vec<Cell>> = list
        .iter()
        .map(|d| {
            let status = text(&d["status"]);
            vec![
                Cell::new(text(&d["id"])),
                Cell::new(text(&d["webhook_id"])),
                Cell::new(text(&d["event_type"])),
                Cell::coloured(&status, status_colour(&status)),
                Cell::new(format!(
                    "{}/{}",
                    text(&d["attempts"]),
                    text(&d["max_attempts"])
                )),
                Cell::new(text(&d["last_status_code"])),
                Cell::new(text(&d["created_at"])),
            ]
        })
        .collect();
    table(
        style,
        &[
            "ID", "WEBHOOK", "EVENT", "STATUS", "ATTEMPTS", "LAST", "CREATED",
        ],
        &rows,
    )
}

fn show_delivery(style: Style, d: &Value, attempts: &Value) -> String {
    let status = text(&d["status"]);
    let mut out = String::new();
    for (key, value) in [
        ("id", text(&d["id"])),
        ("webhook", text(&d["webhook_id"])),
        (
            "event",
            format!("{} ({})", text(&d["event_type"]), text(&d["event_id"])),
        ),
        ("status", style.paint(status_colour(&status), &status)),
        (
            "attempts",
            format!("{} of {}", text(&d["attempts"]), text(&d["max_attempts"])),
        ),
        ("next attempt", text(&d["next_attempt_at"])),
        ("last error", text(&d["last_error"])),
        ("created", text(&d["created_at"])),
    ] {
        let shown = if key == "status" {
            value
        } else {
            output::printable(&value, 300)
        };
        out.push_str(&format!(
            "{}  {shown}\n",
            style.paint("1", &format!("{key:<12}"))
        ));
    }
    let rows: Vec<Vec<Cell>> = items(attempts)
        .map(|a| {
            let outcome = text(&a["outcome"]);
            let answer = a["response_body"]
                .as_str()
                .or(a["error"].as_str())
                .unwrap_or("");
            vec![
                Cell::new(text(&a["attempt"])),
                Cell::coloured(&outcome, status_colour(&outcome)),
                Cell::new(text(&a["status_code"])),
                Cell::new(format!("{} ms", text(&a["response_time_ms"]))),
                Cell::new(clock(&a["delivered_at"])),
                Cell::new(text(&a["chaos"])),
                Cell::new(output::printable(answer.trim(), 60)),
            ]
        })
        .collect();
    out.push('\n');
    out.push_str(&table(
        style,
        &["#", "OUTCOME", "STATUS", "TIME", "AT", "CHAOS", "ANSWER"],
        &rows,
    ));
    if let Some(body) = d["body"].as_str() {
        out.push_str(&format!(
            "\n{}\n{}\n",
            style.paint("1", "body"),
            output::printable(body, 64 * 1024)
        ));
    }
    out
}

/// `POST /v1/events`' body, with `--data` embedded as given.
#[derive(serde::Serialize)]
struct SendEvent<'a> {
    #[serde(rename = "type")]
    event_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a RawValue>,
    /// Path to value, in the order given.
    #[serde(skip_serializing_if = "Option::is_none")]
    overrides: Option<&'a serde_json::Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    webhook_ids: Option<&'a Vec<String>>,
}

/// `--data`: JSON, or `@FILE` for a file of JSON, kept as written (number text, key
/// order, big integers).
pub fn read_data(arg: &str) -> Result<Box<RawValue>, String> {
    match arg.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("--data @{path}: {e}"))
            .and_then(|text| {
                serde_json::from_str(&text).map_err(|e| format!("--data @{path}: {e}"))
            }),
        None => serde_json::from_str(arg).map_err(|e| format!("--data: {e}")),
    }
}
