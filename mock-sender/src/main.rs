//! The `hookproof-sender` CLI: `serve` (the REST API and delivery queue), `trigger`
//! (one delivery, printed as it goes), `doctor` (why a captured request does not verify),
//! `probe` (does a receiver accept and reject what it should), `inbox` (webhooks coming
//! in, printed as they arrive), and the client commands of a running sender (`cli`:
//! webhooks, events, deliveries, logs).

mod cli;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use hookproof_sender::clock::now_ms;
use hookproof_sender::Config;

use cli::serve::{parse_timeout, ServeArgs, CONFIG_HELP};
use cli::Fallible;

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
    /// The receiver to probe; its userinfo (https://user:p%40ss@host/) is sent as
    /// Authorization: Basic, as curl sends it.
    #[arg(long)]
    url: String,
    /// The receiver's signing secret (never printed).
    #[arg(long, env = "HOOKPROOF_SECRET", hide_env_values = true)]
    secret: String,
    /// Envelope and signature: vector, standard, svix, stripe, github, vercel, shopify,
    /// slack, generic, vectorco (Vector.co's events, signed with the generic scheme).
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
        Command::Serve(args) => cli::serve::serve(args).await,
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
    let profile: hookproof_sender::profile::Profile = args
        .profile
        .parse()
        .map_err(|e| format!("--profile: {e}"))?;
    hookproof::Webhook::new(profile.scheme(), &args.secret)
        .map_err(|e| format!("--secret: {e}"))?;
    let client = hookproof_sender::http_client(&Config {
        ca_cert: args.ca_cert.clone(),
        ..Config::default()
    })?;
    let rows = hookproof_sender::probe::Probe {
        client: &client,
        url: &args.url,
        profile,
        secret: &args.secret,
        timeout: args.attempt_timeout,
    }
    .run()
    .await?;
    print!(
        "{}",
        hookproof_sender::probe::table(&args.url, profile, &rows)
    );
    Ok(if rows.iter().any(|r| r.pass == Some(false)) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
