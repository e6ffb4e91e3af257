//! The `hookproof-sender` CLI: `serve` (the REST API and delivery queue) and `trigger`
//! (one delivery, with its retries, printed as it goes).

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use hookproof_sender::api::models::CreateWebhook;
use hookproof_sender::config::{parse_duration, parse_schedule, DEFAULT_MAX_BODY_BYTES};
use hookproof_sender::store::{DeliveryStatus, Outcome};
use hookproof_sender::{app, Config, DbLocation};

#[derive(Parser)]
#[command(
    name = "hookproof-sender",
    version,
    about = "A local, offline webhook provider: signed deliveries, retries, logs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the REST API (see GET /openapi.json) and deliver in the background.
    #[command(after_help = CONFIG_HELP)]
    Serve(ServeArgs),
    /// Send one event to one URL, retrying on the schedule, printing each attempt.
    /// Exits 0 when delivered, 1 when every attempt failed.
    Trigger(TriggerArgs),
}

const CONFIG_HELP: &str = "\
--config FILE is JSON: {\"webhooks\": [ENTRY, ...]} (or just the array). Each ENTRY:
  {\"id\": \"wh_orders\",            optional; fixed id, replaced in place on every start
   \"url\": \"http://127.0.0.1:3000/hook\",   required
   \"type\": \"stripe\",              standard (default), svix, stripe, vector, github,
                                    vercel, slack, shopify, generic
   \"secret\": \"whsec_...\",         optional; generated when omitted
   \"events\": [\"order.created\"],   optional; empty or [\"*\"] means every event
   \"description\": \"...\", \"disabled\": false}

On start, serve prints one line to stdout: `listening on http://ADDR` (then logs go to
stderr; RUST_LOG=debug for more).";

/// Settings shared by serve and trigger.
#[derive(Args)]
struct DeliveryArgs {
    /// Multiply every retry delay by F (and nothing else): 0.001 turns 5 min into 300 ms.
    #[arg(long, value_name = "F", default_value_t = 1.0, value_parser = parse_scale)]
    time_scale: f64,
    /// Give up one attempt after this long (not scaled): 500ms, 15s, 1m.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "15s")]
    attempt_timeout: Duration,
    /// Waits before attempts 2, 3, ... (comma-separated; "" = no retries).
    /// Default: the Standard Webhooks schedule.
    #[arg(long, value_name = "LIST", value_parser = schedule, default_value = "5s,5m,30m,2h,5h,10h,10h")]
    retry_schedule: Schedule,
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on; port 0 picks a free one (printed on stdout).
    #[arg(long, default_value = "127.0.0.1:8787")]
    addr: SocketAddr,
    /// SQLite file keeping webhooks, deliveries and logs (pending retries resume on restart).
    #[arg(
        long,
        value_name = "FILE",
        default_value = "hookproof-sender.db",
        conflicts_with = "memory"
    )]
    db: PathBuf,
    /// Keep everything in memory instead of --db.
    #[arg(long)]
    memory: bool,
    /// Webhooks to create (or replace, by id) at start; format below.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Require `Authorization: Bearer TOKEN` on the API (not on /health, /openapi.json).
    #[arg(long, env = "HOOKPROOF_SENDER_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Largest accepted request body, in bytes.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: u64,
    #[command(flatten)]
    delivery: DeliveryArgs,
}

#[derive(Args)]
struct TriggerArgs {
    /// Where to POST.
    #[arg(long)]
    url: String,
    /// Signing profile: standard, svix, stripe, vector, github, vercel, slack, shopify, generic.
    #[arg(long = "type", value_name = "TYPE", default_value = "standard")]
    scheme: String,
    /// Signing secret; generated and printed when omitted.
    #[arg(long, env = "HOOKPROOF_SECRET", hide_env_values = true)]
    secret: Option<String>,
    /// Event type.
    #[arg(long, default_value = "webhook.test")]
    event: String,
    /// Event data, JSON; `@FILE` reads a file.
    #[arg(long, default_value = "{}")]
    data: String,
    #[command(flatten)]
    delivery: DeliveryArgs,
}

/// A newtype so clap takes the list as one value, not many.
#[derive(Clone)]
struct Schedule(Vec<Duration>);

fn schedule(s: &str) -> Result<Schedule, String> {
    parse_schedule(s).map(Schedule)
}

fn parse_scale(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(f) if f.is_finite() && f >= 0.0 => Ok(f),
        _ => Err(format!("`{s}` is not a non-negative number")),
    }
}

fn config(delivery: &DeliveryArgs, db: DbLocation) -> Config {
    Config {
        db,
        time_scale: delivery.time_scale,
        attempt_timeout: delivery.attempt_timeout,
        retry_schedule: delivery.retry_schedule.0.clone(),
        token: None,
        max_body_bytes: DEFAULT_MAX_BODY_BYTES,
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,warp=warn,hyper=warn,reqwest=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match Cli::parse().command {
        Command::Serve(args) => serve(args).await,
        Command::Trigger(args) => trigger(args).await,
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("hookproof-sender: {e}");
            ExitCode::from(2)
        }
    }
}

type Fallible<T> = Result<T, Box<dyn std::error::Error>>;

async fn serve(args: ServeArgs) -> Fallible<ExitCode> {
    let db = if args.memory {
        DbLocation::Memory
    } else {
        DbLocation::File(args.db.clone())
    };
    let config = Config {
        token: args.token.clone(),
        max_body_bytes: args.max_body_bytes,
        ..config(&args.delivery, db)
    };
    let app = app(&config)?;
    if let Some(path) = &args.config {
        let created = app.load_config_file(path)?;
        tracing::info!(count = created.len(), file = %path.display(), "webhooks from config");
    }
    let resumed = app.start()?;
    if resumed > 0 {
        tracing::info!(count = resumed, "pending deliveries resumed");
    }
    let (addr, server) =
        warp::serve(app.routes.clone()).try_bind_with_graceful_shutdown(args.addr, async {
            shutdown_signal().await;
        })?;
    println!("listening on http://{addr}");
    std::io::stdout().flush()?;
    tracing::info!(%addr, time_scale = config.time_scale, "serving");
    server.await;
    app.engine.shutdown();
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn trigger(args: TriggerArgs) -> Fallible<ExitCode> {
    let data: serde_json::Value = match args.data.strip_prefix('@') {
        Some(path) => serde_json::from_str(&std::fs::read_to_string(path)?)?,
        None => serde_json::from_str(&args.data).map_err(|e| format!("--data: {e}"))?,
    };
    let app = app(&config(&args.delivery, DbLocation::Memory))?;
    let given_secret = args.secret.is_some();
    let webhook = app
        .upsert_webhook(CreateWebhook {
            url: args.url,
            scheme: Some(args.scheme),
            secret: args.secret,
            ..CreateWebhook::default()
        })
        .map_err(|e| match e.field {
            Some(f) => format!("--{f}: {}", e.message),
            None => e.message,
        })?;
    if !given_secret {
        println!("secret {}", webhook.secret);
    }
    let mut events = app.engine.subscribe();
    let delivery = app.engine.enqueue(
        &webhook,
        &hookproof_sender::delivery::new_id("evt"),
        &args.event,
        &data,
    )?;
    println!(
        "delivery {} ({} {}) to {}",
        delivery.id, webhook.scheme, args.event, webhook.url
    );
    loop {
        let ev = events.recv().await?;
        let a = &ev.attempt;
        let result = match (a.outcome, a.status_code) {
            (Outcome::Success, Some(code)) => format!("ok {code}"),
            (_, Some(code)) => format!("failed {code}"),
            _ => format!(
                "failed {}",
                a.error.as_deref().unwrap_or("without an answer")
            ),
        };
        let next = match a.next_attempt_at {
            Some(at) => format!(
                "; retry in {} ms",
                (at - hookproof_sender::delivery::now_ms()).max(0)
            ),
            None => String::new(),
        };
        println!(
            "attempt {}/{}: {result} in {} ms{next}",
            a.attempt, ev.delivery.max_attempts, a.duration_ms
        );
        match ev.delivery.status {
            DeliveryStatus::Pending => continue,
            DeliveryStatus::Succeeded => {
                println!("delivered after {} attempt(s)", ev.delivery.attempts);
                return Ok(ExitCode::SUCCESS);
            }
            DeliveryStatus::Failed => {
                println!("failed after {} attempt(s)", ev.delivery.attempts);
                return Ok(ExitCode::FAILURE);
            }
        }
    }
}
