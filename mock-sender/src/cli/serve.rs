//! `serve`: the REST API and the delivery queue, from its flags to a clean exit.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use hookproof_sender::api::guard::allowed_host;
use hookproof_sender::config::{
    parse_duration, parse_size, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_IN_FLIGHT, DEFAULT_MEMORY_LIMIT,
};
use hookproof_sender::server::{self, Limits};
use hookproof_sender::{app, Config, DbLocation};

use super::Fallible;

pub(crate) const CONFIG_HELP: &str = "\
--config FILE is JSON: {\"webhooks\": [ENTRY, ...]} (or just the array); each ENTRY is the
body of POST /v1/webhooks, plus an optional fixed \"id\" (replaced in place on every start):
  {\"id\": \"wh_orders\",
   \"url\": \"http://127.0.0.1:3000/hook\",      required
   \"events\": [\"order.*\", \"invoice.paid\"],  required: names, prefix.* or *
   \"profile\": \"stripe\",                  vector (default), standard, svix, stripe, github,
                                         vercel, shopify, slack, generic, vectorco
                                         (Vector.co's events, signed as generic)
   \"segments\": [\"segment_12345\"],        optional: Vector.co segments (events naming
                                         another segment are not sent); default every one
   \"kind\": \"http\",                       http (default) or slack (Block Kit message)
   \"secret\": \"whsec_...\",                optional; generated when omitted
   \"retry_schedule\": [0, \"42s\", \"2.5m\"],  optional; else the profile's schedule
   \"enabled\": true, \"description\": \"...\",
   \"chaos\": {\"duplicate\": 0.1,             optional, all fields optional: see below
             \"forge_signature\": 0.05, \"stale_timestamp\": 0.05,
             \"delay_ms\": [0, 2000], \"reorder\": true, \"seed\": 7}}

Chaos (per webhook; also in POST /v1/webhooks and PUT, null turns it off): after each
attempt, with its probability, the same signed request again (duplicate: same delivery
id), a copy signed with a wrong key (forge_signature) and, for timestamped profiles, a
correctly signed copy 10 min old (stale_timestamp). They are logged as attempts with
chaos (duplicate|forged|stale), expect (accept|reject) and receiver_accepted_bad; a 2xx
to a forged or stale one is outcome accepted_forgery / accepted_stale, a non-2xx
rejected. They never count for the delivery. delay_ms [min,max]: every attempt waits a
random min..max ms (unscaled), in order; reorder: each draws its own delay (within
delay_ms, default [0,1000]), so deliveries overtake each other. Draws are seeded by
chaos.seed, else --chaos-seed and the webhook id, else at random.

Default retry schedules (waits before attempts 1, 2, ...; all scaled by --time-scale):
  vector            0, 42s, 2.5m, 9m, 30m
  standard, svix    0, 5s, 5m, 30m, 2h, 5h, 10h, 10h (standard: a 410 disables the
                    webhook; a longer Retry-After is waited out)
  stripe            0, 1m, 5m, 30m, 2h, 6h, 12h, 24h, 24h
  shopify           0, 10s, 30s, 1m, 5m, 15m, 30m, 1h, 2h
  slack             0, 0, 1m, 5m
  github            0 (GitHub does not retry: POST /v1/deliveries/{id}/retry redelivers)
  vercel, generic,  0, 30s, 5m, 30m, 2h
  vectorco
In every profile, an answer 429, 502, 503 or 504 also pauses its endpoint: no new attempt
to it starts for its Retry-After (at most 1h; scaled) or 5s (scaled); the pause is kept in
memory only (a restart forgets it).

Besides the API (GET /openapi.json), serve serves the dashboard at /, the playground at
/playground, www/ at /www/ and the npm package's browser build at /pkg/: all built into
the binary (--www, --pkg serve folders from disk instead).

On start, serve listens first, then opens --db (a start that fails writes nothing), and
prints one line to stdout: `listening on http://ADDR` (then logs go to stderr;
RUST_LOG=debug for more). On SIGTERM or Ctrl-C it stops taking connections and starting
attempts, gives the requests under way --shutdown-grace (10s) to finish and then closes
their connections, lets the attempts on the wire finish and be logged, then exits 0;
deliveries waiting for a retry stay pending in --db and resume on the next start.";

/// Settings shared by serve and trigger.
#[derive(Args)]
pub(crate) struct DeliveryArgs {
    /// Multiply every retry wait and throttle pause by F (and nothing else): 0.001 turns
    /// 5 min into 300 ms.
    #[arg(long, value_name = "F", default_value_t = 1.0, value_parser = parse_scale)]
    time_scale: f64,
    /// An attempt succeeds on a 2xx within this long (not scaled): 500ms, 15s, 1m.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, default_value = "30s")]
    attempt_timeout: Duration,
    /// Each attempt gets its profile's provider's timeout instead of --attempt-timeout:
    /// slack 3s, shopify 5s, github 10s, standard and svix 15s, the others 30s.
    #[arg(long, conflicts_with = "attempt_timeout")]
    provider_timeouts: bool,
    /// Accept http:// URLs to hosts other than loopback (https is always accepted).
    #[arg(long)]
    allow_http: bool,
    /// Trust the PEM certificate(s) in FILE besides the system roots (self-signed receivers).
    #[arg(long, value_name = "FILE")]
    ca_cert: Option<PathBuf>,
}

#[derive(Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on; port 0 picks a free one (printed on stdout).
    #[arg(long, default_value = "127.0.0.1:8787")]
    addr: SocketAddr,
    /// SQLite file keeping webhooks, deliveries and logs (pending retries resume on restart).
    #[arg(
        long,
        value_name = "PATH",
        default_value = "hookproof-sender.db",
        conflicts_with = "memory"
    )]
    db: PathBuf,
    /// Keep everything in this process's memory instead of --db (lost on exit; faster).
    #[arg(long)]
    memory: bool,
    /// Webhooks to create (or replace, by id) at start; format below.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Require `Authorization: Bearer TOKEN` on /v1 (/v1/stream also takes ?token=).
    /// Required to listen on an address other than loopback (--addr 0.0.0.0:8787).
    #[arg(long, env = "HOOKPROOF_SENDER_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Listen on an address other than loopback without --token (a warning is printed):
    /// anyone who reaches the port can then create webhooks that copy every event to any
    /// URL.
    #[arg(long)]
    insecure_no_token: bool,
    /// Also answer requests whose Host header names NAME (repeatable): how browsers reach
    /// the sender by a name (devbox.lan). Loopback names and IP addresses are always
    /// answered; other names are refused (403 forbidden_host), against DNS rebinding.
    #[arg(long = "allowed-host", value_name = "NAME", value_parser = allowed_host)]
    allowed_hosts: Vec<String>,
    /// Delete attempt logs and finished deliveries older than this (checked at start, then
    /// hourly, or every half DURATION when that is shorter).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "90d")]
    retention: Duration,
    /// With --memory: past about SIZE of kept records (256MiB, 1GB, ...), the oldest
    /// finished deliveries and attempt logs are dropped, as past --retention. Pending
    /// deliveries are always kept. [default: 256MiB]
    // Not clap's `requires = "memory"`: a flag's implicit `false` counts as given there.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    memory_limit: Option<u64>,
    /// Requests on the wire at once to one endpoint; more wait their turn.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_IN_FLIGHT, value_parser = at_least_one)]
    max_in_flight: usize,
    /// Largest accepted request body, in bytes.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: u64,
    /// A request's head must arrive within DURATION of its connection's opening or
    /// previous answer (else the connection is closed: idle ones too), and its body within
    /// DURATION more (else 408).
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, default_value = "30s")]
    read_timeout: Duration,
    /// On SIGTERM or Ctrl-C, requests under way get DURATION to finish; the connections
    /// still open then are closed.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "10s")]
    shutdown_grace: Duration,
    /// For working on the pages: serve the dashboard and playground from DIR (read on
    /// every request) instead of the copy built into the binary.
    #[arg(long, value_name = "DIR")]
    www: Option<PathBuf>,
    /// For working on the pages: serve the npm package's browser build (DIR/src, DIR/gen)
    /// at /pkg/ from DIR instead of the copy built into the binary.
    #[arg(long, value_name = "DIR")]
    pkg: Option<PathBuf>,
    /// Seed the chaos draws of every webhook without its own chaos.seed (with its id), so
    /// runs repeat; default: random.
    #[arg(long, value_name = "N")]
    chaos_seed: Option<u64>,
    #[command(flatten)]
    delivery: DeliveryArgs,
}

fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("`{s}` is not a whole number >= 1")),
    }
}

fn parse_scale(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(f) if f.is_finite() && f >= 0.0 => Ok(f),
        _ => Err(format!("`{s}` is not a non-negative number")),
    }
}

pub(crate) fn config(delivery: &DeliveryArgs, db: DbLocation) -> Config {
    Config {
        db,
        time_scale: delivery.time_scale,
        attempt_timeout: (!delivery.provider_timeouts).then_some(delivery.attempt_timeout),
        allow_http: delivery.allow_http,
        ca_cert: delivery.ca_cert.clone(),
        ..Config::default()
    }
}

/// `--attempt-timeout`, `--read-timeout`: a duration, not zero (everything would time out).
pub(crate) fn parse_timeout(s: &str) -> Result<Duration, String> {
    match parse_duration(s)? {
        d if d.is_zero() => Err("give a duration above 0".into()),
        d => Ok(d),
    }
}

pub(crate) async fn serve(args: ServeArgs) -> Fallible<ExitCode> {
    if args.memory_limit.is_some() && !args.memory {
        return Err(
            "--memory-limit applies to --memory only (a --db file is bounded by --retention)"
                .into(),
        );
    }
    check_exposure(&args)?;
    // Bound before the store is opened: a start that fails writes nothing.
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| {
            format!(
                "cannot listen on {}: {e} (--addr 127.0.0.1:0 picks a free port)",
                args.addr
            )
        })?;
    let addr = listener.local_addr()?;
    let db = if args.memory {
        DbLocation::Memory
    } else {
        DbLocation::File(args.db.clone())
    };
    let config = Config {
        token: args.token.clone(),
        max_body_bytes: args.max_body_bytes,
        body_read_timeout: args.read_timeout,
        max_in_flight: args.max_in_flight,
        retention: args.retention,
        memory_limit: args.memory_limit.unwrap_or(DEFAULT_MEMORY_LIMIT),
        www_dir: args.www.clone(),
        pkg_dir: args.pkg.clone(),
        chaos_seed: args.chaos_seed,
        listen: Some(addr),
        allowed_hosts: args.allowed_hosts.clone(),
        ..config(&args.delivery, db)
    };
    let app = app(&config)?;
    if let Some(path) = &args.config {
        let created = app.load_config_file(path).await?;
        tracing::info!(count = created.len(), file = %path.display(), "webhooks from config");
    }
    let resumed = app.start().await?;
    if resumed > 0 {
        tracing::info!(count = resumed, "pending deliveries resumed");
    }
    for (flag, dir) in [("--www", &config.www_dir), ("--pkg", &config.pkg_dir)] {
        if let Some(dir) = dir.as_ref().filter(|d| !d.is_dir()) {
            tracing::warn!(dir = %dir.display(), "{flag}: no such folder: its pages are not served");
        }
    }
    if config.pkg_dir.is_none() && !hookproof_sender::api::files::has_playground_wasm() {
        tracing::warn!(
            "built without pkg/gen: the playground cannot load its verifier \
             (run scripts/build-pkg.sh and build again, or --pkg DIR)"
        );
    }
    println!("listening on http://{addr}");
    std::io::stdout().flush()?;
    tracing::info!(%addr, time_scale = config.time_scale, "serving");
    let engine = std::sync::Arc::clone(&app.engine);
    let limits = Limits {
        header_read_timeout: args.read_timeout,
        shutdown_grace: args.shutdown_grace,
    };
    server::serve(listener, app.routes.clone(), limits, async move {
        shutdown_signal().await;
        tracing::info!("stopping: finishing the attempts in flight");
        engine.stop();
    })
    .await;
    // An attempt takes its timeout at most, plus logging it.
    let longest = config
        .attempt_timeout
        .unwrap_or(hookproof_sender::delivery::LONGEST_PROFILE_TIMEOUT);
    app.engine.drained(longest + Duration::from_secs(5)).await;
    app.store.close().await?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Anyone who reaches a port beyond loopback could create webhooks that copy every event
/// to any URL: such a bind needs --token, or --insecure-no-token and a warning.
fn check_exposure(args: &ServeArgs) -> Fallible<()> {
    if args.token.as_deref().is_some_and(|t| t.trim().is_empty()) {
        return Err("--token: the token is empty".into());
    }
    if args.addr.ip().is_loopback() || args.token.is_some() {
        return Ok(());
    }
    if !args.insecure_no_token {
        return Err(format!(
            "--addr {}: listening beyond loopback needs --token TOKEN (or HOOKPROOF_SENDER_TOKEN), \
             else anyone who reaches the port can create webhooks that copy every event to any \
             URL; --insecure-no-token listens without one",
            args.addr
        )
        .into());
    }
    eprintln!(
        "hookproof-sender: warning: listening on {} without --token (--insecure-no-token): \
         anyone who reaches the port can read and create webhooks and send events",
        args.addr
    );
    Ok(())
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
