//! The `hookproof-sender` CLI: `serve` (the REST API and delivery queue), `trigger`
//! (one delivery, printed as it goes), `doctor` (why a captured request does not verify),
//! `probe` (does a receiver accept and reject what it should), `inbox` (webhooks coming
//! in, printed as they arrive), and the client commands of a running sender (`cli`:
//! webhooks, events, deliveries, logs).

mod cli;

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use hookproof_sender::api::guard::allowed_host;
use hookproof_sender::clock::now_ms;
use hookproof_sender::config::{
    parse_duration, parse_size, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_IN_FLIGHT, DEFAULT_MEMORY_LIMIT,
};
use hookproof_sender::server::{self, Limits};
use hookproof_sender::{app, Config, DbLocation};

// The delivery path allocates per request (hyper, JSON, SQLite rows); mimalloc spends less
// CPU on that than glibc's malloc across the runtime's threads (an eighth of the sender's
// CPU per delivery with `--memory`, a quarter with `--db`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Send one signed event to one URL, once (with --retries, on the profile's retry
    /// schedule), printing each attempt as it happens (like `stripe trigger`, offline).
    /// Exits 0 when delivered, 1 when every attempt failed.
    Trigger(cli::trigger::TriggerArgs),
    /// Say why a captured request does or does not verify: reads its headers (as copied
    /// from a log) and raw body, and names the usual mistakes (re-serialized body, secret
    /// in another form, wrong scheme, clock skew, ...). Exits 0 when it verifies, 1 when
    /// not, 2 on a usage error. The secret is never printed.
    #[command(after_help = DOCTOR_HELP)]
    Doctor(DoctorArgs),
    /// Test a receiver: send it a battery of deliveries of the profile, some it must
    /// accept (2xx), some it must reject (non-2xx), and print a pass/fail table. Exits 0
    /// when every check passes, 1 when any fails, 2 on a usage error.
    #[command(after_help = PROBE_HELP)]
    Probe(ProbeArgs),
    /// Print a new secret: `secret whsec_...` (base64 of 24 random bytes; HMAC, every
    /// profile), or with --ed25519 a Standard Webhooks key pair for v1a signatures
    /// (standard, svix): `secret_key whsk_...` for the sender (--secret, or a webhook's
    /// secret) and `public_key whpk_...` for the receiver.
    Keygen(KeygenArgs),
    /// A running sender's webhooks: list, create, delete (--api URL).
    Webhooks(cli::Webhooks),
    /// Send an event through a running sender (--api URL).
    Events(cli::Events),
    /// A running sender's deliveries: list, show, retry (--api URL).
    Deliveries(cli::Deliveries),
    /// Follow a running sender's deliveries and attempts as they happen (--api URL).
    Logs(cli::Logs),
    /// Catch webhooks coming in (like `stripe listen --forward-to`): starts a sender on
    /// --addr (or uses --api), configures inbox NAME and prints each request posted to
    /// /in/NAME with its verification (--scheme, --secret) and sender conformance result,
    /// then the answer of its forward (--forward-to).
    Inbox(cli::inbox::InboxArgs),
    /// The event catalog: each profile's events, with an example payload as the provider
    /// sends it and its JSON Schema (what trigger sends without --data).
    #[command(subcommand)]
    Fixtures(cli::fixtures::Fixtures),
}

#[derive(Args)]
struct KeygenArgs {
    /// An Ed25519 key pair (Standard Webhooks' asymmetric v1a) instead of an HMAC secret.
    #[arg(long)]
    ed25519: bool,
    /// Print the bare secret only, for scripts (with --ed25519: the secret key, then the
    /// public key, a line each).
    #[arg(long, short)]
    quiet: bool,
}

const PROBE_HELP: &str = "\
Must be accepted (2xx): a valid delivery; for standard, svix, stripe and vector, a
signature list where only the last entry is valid (a bogus one first, as during a secret
rotation).
Must be rejected (non-2xx; a hang-up or timeout fails): a tampered body; a signature made
with another secret; each header the scheme needs, missing; for timestamped schemes
(standard, svix, stripe, vector, slack) a valid signature made 10 min ago, and one 10 min
ahead.
Reported, not judged: the same delivery sent twice (the probe cannot see whether it was
processed twice), a 1 MB body (answer and time).";

const DOCTOR_HELP: &str = "\
--headers FILE holds `Name: value` lines, read as the playground reads pasted headers: a
first request line (`POST /hooks HTTP/1.1`), blank lines, `curl -v` prefixes (`> `) and
HTTP/2 pseudo-headers (`:method: POST`) are skipped, a repeated header's values joined; any
other line is an error naming its number. --body FILE is read
as raw bytes: save the body exactly as received (curl --data-binary @FILE, not a
re-formatted copy).

  hookproof-sender doctor --headers req.txt --body body.json --secret whsec_...
  # not verified (stripe scheme, detected from the headers): no_matching_signature: ...
  #   body_reserialized: the body was parsed and serialized again ...";

const CONFIG_HELP: &str = "\
--config FILE is JSON: {\"webhooks\": [ENTRY, ...]} (or just the array); each ENTRY is the
body of POST /v1/webhooks, plus an optional fixed \"id\" (replaced in place on every start):
  {\"id\": \"wh_orders\",
   \"url\": \"http://127.0.0.1:3000/hook\",      required
   \"events\": [\"order.*\", \"invoice.paid\"],  required: names, prefix.* or *
   \"profile\": \"stripe\",                  vector (default), standard, svix, stripe, github,
                                         vercel, shopify, slack, generic
   \"type\": \"http\",                       http (default) or slack (Block Kit message)
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
  vercel, generic   0, 30s, 5m, 30m, 2h
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
struct DeliveryArgs {
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
struct ServeArgs {
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

#[derive(Args)]
struct DoctorArgs {
    /// The request's headers, `Name: value` per line.
    #[arg(long, value_name = "FILE")]
    headers: PathBuf,
    /// The request's body, the exact bytes received.
    #[arg(long, value_name = "FILE")]
    body: PathBuf,
    /// The endpoint's signing secret (never printed).
    #[arg(long, env = "HOOKPROOF_SECRET", hide_env_values = true)]
    secret: String,
    /// The signature scheme; default: detected from the headers. One of vector, standard,
    /// svix, stripe, github, vercel, shopify, slack, generic.
    #[arg(long, value_name = "NAME")]
    scheme: Option<String>,
    /// Accepted timestamp age, in seconds (timestamped schemes).
    #[arg(long, value_name = "SECS", default_value_t = hookproof::DEFAULT_TOLERANCE_SECS)]
    tolerance: u64,
    /// Judge the timestamp as of this Unix time (seconds), e.g. when the request was
    /// captured; default: now.
    #[arg(long, value_name = "UNIX")]
    now: Option<i64>,
}

#[derive(Args)]
struct ProbeArgs {
    /// The receiver to probe.
    #[arg(long)]
    url: String,
    /// The receiver's signing secret (never printed).
    #[arg(long, env = "HOOKPROOF_SECRET", hide_env_values = true)]
    secret: String,
    /// Envelope and signature: vector, standard, svix, stripe, github, vercel, shopify,
    /// slack, generic.
    #[arg(long, default_value = "vector")]
    profile: String,
    /// How long each request may take: 500ms, 15s, 1m.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, default_value = "10s")]
    attempt_timeout: Duration,
    /// Accept an http:// URL to a host other than loopback (https is always accepted).
    #[arg(long)]
    allow_http: bool,
    /// Trust the PEM certificate(s) in FILE besides the system roots (self-signed receivers).
    #[arg(long, value_name = "FILE")]
    ca_cert: Option<PathBuf>,
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

fn config(delivery: &DeliveryArgs, db: DbLocation) -> Config {
    Config {
        db,
        time_scale: delivery.time_scale,
        attempt_timeout: (!delivery.provider_timeouts).then_some(delivery.attempt_timeout),
        allow_http: delivery.allow_http,
        ca_cert: delivery.ca_cert.clone(),
        ..Config::default()
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    // A line per attempt, written by a thread of its own: the lines that pile up while it
    // writes go out in one write(2), not one each from a runtime worker (~4 % of the CPU
    // per delivery at full speed). Never lossy: a log that cannot keep up slows the
    // sender down. Dropping the guard writes out what is left.
    let (log, log_guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("log-writer")
        .finish(std::io::BufWriter::new(std::io::stderr()));
    let cli = Cli::parse();
    // serve logs every attempt; the one-shot commands print their own lines, so only
    // warnings unless RUST_LOG says otherwise.
    let default_filter = match cli.command {
        Command::Serve(_) => "info,warp=warn,hyper=warn,hyper_util=warn,rustls=warn",
        _ => "warn",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| default_filter.into()),
        )
        .with_writer(log)
        // Colours for a person at a terminal only: in a log file they are bytes to write
        // and to read past (about half of each attempt's line), and cost CPU per line.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let result = match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Trigger(args) => cli::trigger::run(args).await,
        Command::Doctor(args) => doctor(&args),
        Command::Probe(args) => probe(args).await,
        Command::Keygen(args) => keygen(&args),
        Command::Webhooks(args) => cli::webhooks(args).await,
        Command::Events(args) => cli::events(args).await,
        Command::Deliveries(args) => cli::deliveries(args).await,
        Command::Logs(args) => cli::logs(args).await,
        Command::Inbox(args) => cli::inbox::inbox(args).await,
        Command::Fixtures(command) => cli::fixtures::fixtures(&command),
    };
    // The log's last lines before the error below.
    drop(log_guard);
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("hookproof-sender: {e}");
            ExitCode::from(2)
        }
    }
}

type Fallible<T> = Result<T, Box<dyn std::error::Error>>;

/// `--attempt-timeout`, `--read-timeout`: a duration, not zero (everything would time out).
fn parse_timeout(s: &str) -> Result<Duration, String> {
    match parse_duration(s)? {
        d if d.is_zero() => Err("give a duration above 0".into()),
        d => Ok(d),
    }
}

async fn serve(args: ServeArgs) -> Fallible<ExitCode> {
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
        let created = app.load_config_file(path)?;
        tracing::info!(count = created.len(), file = %path.display(), "webhooks from config");
    }
    let resumed = app.start()?;
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
    app.store.close()?;
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

fn keygen(args: &KeygenArgs) -> Fallible<ExitCode> {
    if args.ed25519 {
        let secret_key = hookproof_sender::keys::generate_signing_key();
        let public_key = hookproof::ed25519_public_key(&secret_key).map_err(|e| e.to_string())?;
        if args.quiet {
            println!("{secret_key}\n{public_key}");
        } else {
            println!("secret_key {secret_key}\npublic_key {public_key}");
        }
    } else {
        let secret = hookproof_sender::keys::generate_secret();
        if args.quiet {
            println!("{secret}");
        } else {
            println!("secret {secret}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn doctor(args: &DoctorArgs) -> Fallible<ExitCode> {
    let read = |flag: &str, path: &PathBuf| {
        std::fs::read(path).map_err(|e| format!("{flag} {}: {e}", path.display()))
    };
    let text = read("--headers", &args.headers)?;
    let headers = hookproof_sender::doctor::parse_headers(&String::from_utf8_lossy(&text))
        .map_err(|e| format!("--headers {}: {e}", args.headers.display()))?;
    let body = read("--body", &args.body)?;
    let (scheme, detected) = match &args.scheme {
        Some(name) => (
            name.parse::<hookproof::Scheme>()
                .map_err(|e| format!("--scheme: {e}"))?,
            false,
        ),
        None => (
            hookproof::Scheme::detect(&headers)
                .ok_or("--headers: no known signature header in the file; pass --scheme NAME")?,
            true,
        ),
    };
    let webhook = hookproof::Webhook::new(scheme, &args.secret)
        .map_err(|e| format!("--secret: {e}"))?
        .with_tolerance(args.tolerance);
    let now = args.now.unwrap_or_else(|| now_ms().div_euclid(1000));
    let diagnosis = webhook.diagnose(&body, &headers, now);
    print!(
        "{}",
        hookproof_sender::doctor::report(scheme, detected, &diagnosis)
    );
    Ok(if diagnosis.verified {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

async fn probe(args: ProbeArgs) -> Fallible<ExitCode> {
    hookproof_sender::webhooks::checks::check_url(&args.url, args.allow_http)
        .map_err(|e| format!("--url: {e}"))?;
    let scheme: hookproof::Scheme = args
        .profile
        .parse()
        .map_err(|e| format!("--profile: {e}"))?;
    hookproof::Webhook::new(scheme, &args.secret).map_err(|e| format!("--secret: {e}"))?;
    let client = hookproof_sender::http_client(&Config {
        ca_cert: args.ca_cert.clone(),
        ..Config::default()
    })?;
    let rows = hookproof_sender::probe::Probe {
        client: &client,
        url: &args.url,
        scheme,
        secret: &args.secret,
        timeout: args.attempt_timeout,
    }
    .run()
    .await?;
    print!(
        "{}",
        hookproof_sender::probe::table(&args.url, scheme, &rows)
    );
    Ok(if rows.iter().any(|r| r.pass == Some(false)) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
