//! `hookproof-sender inbox NAME`: like `stripe listen --forward-to`, offline. Starts a
//! sender on `--addr` (or uses the one at `--api`), configures the inbox, and prints each
//! capture as it arrives (polling its captures) with its verification and conformance
//! result, then its forward's answer.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Args;
use hyper::Method;
use serde_json::{json, Value};

use super::client::{segment, Api};
use super::output::{clock, printable, text, Style};
use super::Fallible;

#[derive(Args)]
pub struct InboxArgs {
    /// The inbox's name: requests to /in/NAME are captured.
    #[arg(value_name = "NAME")]
    name: String,
    /// The scheme to verify and check captures against (stripe, standard, github, ...).
    #[arg(long)]
    scheme: Option<String>,
    /// The signing secret the provider uses (never printed).
    #[arg(long, env = "HOOKPROOF_SECRET", hide_env_values = true)]
    secret: Option<String>,
    /// How far (seconds) a signed timestamp may be from now.
    #[arg(long, value_name = "SECONDS")]
    tolerance: Option<u64>,
    /// Forward every capture (same method, bytes and headers) to this URL.
    #[arg(long, value_name = "URL")]
    forward_to: Option<String>,
    /// The status /in/NAME answers.
    #[arg(long, default_value_t = 200)]
    status: u16,
    /// Use the sender running at this URL instead of starting one.
    #[arg(long, value_name = "URL", env = "HOOKPROOF_SENDER_URL")]
    api: Option<String>,
    /// The --token of the sender at --api.
    #[arg(long, env = "HOOKPROOF_SENDER_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Where the started sender listens (in memory; loopback only: for other machines, run
    /// `serve --token` and use --api).
    #[arg(long, default_value = "127.0.0.1:8025")]
    addr: SocketAddr,
    /// Print each capture as the API's JSON, one object per line.
    #[arg(long)]
    json: bool,
}

pub async fn inbox(args: InboxArgs) -> Fallible<ExitCode> {
    let base = match &args.api {
        Some(url) => url.clone(),
        None => {
            // The sender started here has no --token: beyond loopback anyone who reached
            // the port could create webhooks that copy every event to any URL.
            if !args.addr.ip().is_loopback() {
                return Err(format!(
                    "--addr {}: the sender `inbox` starts listens on loopback only (it has no \
                     --token); for other machines run `hookproof-sender serve --addr {} --token \
                     TOKEN` and `inbox --api URL --token TOKEN`",
                    args.addr, args.addr
                )
                .into());
            }
            // The Host guard holds on every bind; /in/ is outside it.
            let app = hookproof_sender::app(&hookproof_sender::Config::default())?;
            app.start().await?;
            let (addr, server) = warp::serve(app.routes.clone())
                .try_bind_ephemeral(args.addr)
                .map_err(|e| {
                    format!(
                        "cannot listen on {}: {e} (--addr 127.0.0.1:0 picks a free port)",
                        args.addr
                    )
                })?;
            tokio::spawn(server);
            // The app lives as long as the process.
            std::mem::forget(app);
            format!("http://{addr}")
        }
    };
    let api = Api::new(&base, args.token.clone())?;
    let mut config = json!({ "respond_with": { "status": args.status } });
    for (key, value) in [
        ("scheme", &args.scheme),
        ("secret", &args.secret),
        ("forward_to", &args.forward_to),
    ] {
        if let Some(v) = value {
            config[key] = json!(v);
        }
    }
    if let Some(t) = args.tolerance {
        config["tolerance_seconds"] = json!(t);
    }
    let name = segment(&args.name);
    api.call(Method::PUT, &format!("/v1/inboxes/{name}"), Some(&config))
        .await?;
    let forward = args
        .forward_to
        .as_deref()
        .map(|u| format!(", forwarding to {}", hookproof_sender::mask::url(u)))
        .unwrap_or_default();
    // Polled rather than followed on /v1/stream: a capture made between the ready line and
    // the stream's subscription would be missed; a poll after the first one sees it.
    let list = format!("/v1/inboxes/{name}/captures?limit=100");
    let mut seen = HashSet::new();
    let mut forwarded = HashSet::new();
    for c in items(&api.call(Method::GET, &list, None).await?) {
        seen.insert(text(&c["id"]));
        forwarded.insert(text(&c["id"]));
    }
    println!(
        "inbox {} ready: {}/in/{name}{forward} (Ctrl-C to stop)",
        args.name,
        api.base()
    );
    let style = Style::detect();
    loop {
        let captures = api.call(Method::GET, &list, None).await?;
        // Newest first: printed oldest first.
        for capture in items(&captures).rev() {
            let id = text(&capture["id"]);
            let new = seen.insert(id.clone());
            let answered = capture["forward"].is_object() && forwarded.insert(id);
            if args.json {
                if new || answered {
                    println!("{capture}");
                }
                continue;
            }
            if new {
                println!("{}", capture_line(style, capture));
            }
            if answered {
                println!("{}", forward_line(style, capture));
            }
        }
        tokio::time::sleep(POLL).await;
    }
}

/// How often the inbox's captures are read.
const POLL: std::time::Duration = std::time::Duration::from_millis(200);

fn items(v: &Value) -> impl DoubleEndedIterator<Item = &Value> {
    v.as_array().into_iter().flatten()
}

/// `12:00:01  cap_…  POST /in/shop  verified  conformance 7/7` and what failed.
fn capture_line(style: Style, c: &Value) -> String {
    let p = |v: &Value| printable(&text(v), 120);
    let verification = match c["verification"].as_object() {
        None => "not verified (no scheme and secret)".to_owned(),
        Some(v) if v["verified"] == true => style.paint("32", "verified"),
        Some(v) => {
            let kinds: Vec<String> = v["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| text(&f["kind"]))
                .collect();
            let why = if kinds.is_empty() {
                String::new()
            } else {
                format!(" ({})", kinds.join(", "))
            };
            style.paint("31", &format!("not verified: {}{why}", p(&v["code"])))
        }
    };
    let checks: Vec<&Value> = c["conformance"].as_array().into_iter().flatten().collect();
    let conformance = if checks.is_empty() {
        "conformance: no scheme".to_owned()
    } else {
        let failed: Vec<String> = checks
            .iter()
            .filter(|r| r["status"] == "fail")
            .map(|r| format!("{} ({})", text(&r["rule"]), p(&r["detail"])))
            .collect();
        let applied = checks.iter().filter(|r| r["status"] != "skip").count();
        if failed.is_empty() {
            style.paint("32", &format!("conformance {applied}/{applied} pass"))
        } else {
            style.paint("31", &format!("conformance fails: {}", failed.join("; ")))
        }
    };
    format!(
        "{}  {}  {} {}  {}  {}",
        clock(&c["received_at"]),
        p(&c["id"]),
        p(&c["method"]),
        p(&c["path"]),
        verification,
        conformance
    )
}

fn forward_line(style: Style, c: &Value) -> String {
    let f = &c["forward"];
    let answer = match f["status_code"].as_u64() {
        Some(code) => {
            let colour = if (200..300).contains(&code) {
                "32"
            } else {
                "31"
            };
            style.paint(colour, &code.to_string())
        }
        None => style.paint("31", &printable(&text(&f["error"]), 200)),
    };
    format!(
        "{}  {}  -> {} {} in {} ms",
        clock(&f["sent_at"]),
        printable(&text(&c["id"]), 120),
        printable(&text(&f["url"]), 200),
        answer,
        text(&f["response_time_ms"])
    )
}
