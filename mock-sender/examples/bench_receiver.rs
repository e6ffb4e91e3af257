//! The receiver of `bench/sender.mjs` (the sender throughput bench): a keep-alive
//! HTTP/1.1 server on one thread that answers at once, so that the bench measures the
//! sender rather than the receiver (node:http costs ~50–70 µs of CPU per request; a
//! 20k/s sender on 2 cores leaves ~100 µs per delivery for both).
//!
//! ```sh
//! cargo build --release -p hookproof-sender --example bench_receiver
//! BENCH_SECRET=whsec_... target/release/examples/bench_receiver
//! ```
//!
//! `POST /ok/*`: 204, counted; the body's `"sent_at":<epoch ms>` gives the end-to-end
//! latency, and one delivery in 50 has its signature checked with `hookproof` (profile
//! `standard`, the secret in `BENCH_SECRET`). `POST /fail/*`: 500 to the first attempt of
//! each `webhook-id`, 204 to the second, whose arrival gap is kept by the body's
//! `"phase":"..."`. The bench drives it over stdin and stdout (`bench/sender/receiver.mjs`):
//! it prints `listening <port>`, then `count <received> <fail_second>` every 5 ms; it reads
//! `collect` (prints `collected <json>` and starts counting afresh) or `exit`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hookproof::{Scheme, Webhook};
use serde_json::json;
use warp::hyper::body::HttpBody;
use warp::hyper::service::{make_service_fn, service_fn};
use warp::hyper::{Body, Request, Response, Server, StatusCode};

/// One delivery in this many has its signature checked: enough to catch a bad signature,
/// few enough that the receiver's CPU stays small beside the sender's.
const VERIFY_EVERY: u64 = 50;
/// How often the driver hears the counts (it waits on them between phases).
const COUNT_EVERY: Duration = Duration::from_millis(5);

/// What one phase of the bench saw, handed over and reset by `collect`.
#[derive(Default)]
struct Tally {
    received: u64,
    bytes: u64,
    /// Arrival times, epoch ms.
    first: f64,
    last: f64,
    /// Arrival − `sent_at`, ms.
    latencies: Vec<f64>,
    verified: u64,
    bad_sig: u64,
    fail_first: u64,
    fail_second: u64,
    /// Per phase: attempt 2's arrival − attempt 1's, ms, and its `webhook-id`.
    gaps: HashMap<String, Vec<f64>>,
    gap_ids: HashMap<String, Vec<String>>,
}

struct Receiver {
    signer: Webhook,
    tally: Mutex<Tally>,
    /// Arrival of attempt 1 of each `/fail/*` delivery, by `webhook-id`.
    first_attempts: Mutex<HashMap<String, f64>>,
}

impl Receiver {
    fn tally(&self) -> MutexGuard<'_, Tally> {
        self.tally.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn handle(&self, req: Request<Body>) -> Response<Body> {
        let (parts, mut body) = req.into_parts();
        let mut bytes = Vec::new();
        while let Some(chunk) = body.data().await {
            match chunk {
                Ok(c) => bytes.extend_from_slice(&c),
                Err(_) => return answer(StatusCode::BAD_REQUEST),
            }
        }
        let at = epoch_ms();
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
        };
        if parts.uri.path().starts_with("/fail") {
            let id = header("webhook-id");
            let first = self
                .first_attempts
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(id);
            let mut tally = self.tally();
            return match first {
                None => {
                    self.first_attempts
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(id.to_owned(), at);
                    tally.fail_first += 1;
                    answer(StatusCode::INTERNAL_SERVER_ERROR)
                }
                Some(t1) => {
                    tally.fail_second += 1;
                    let phase = json_field(&bytes, "\"phase\":\"", b'"').unwrap_or("?");
                    tally
                        .gaps
                        .entry(phase.to_owned())
                        .or_default()
                        .push(at - t1);
                    tally
                        .gap_ids
                        .entry(phase.to_owned())
                        .or_default()
                        .push(id.to_owned());
                    answer(StatusCode::NO_CONTENT)
                }
            };
        }
        let sent_at = json_field(&bytes, "\"sent_at\":", b',').and_then(|s| s.parse::<f64>().ok());
        let check = {
            let mut tally = self.tally();
            tally.received += 1;
            tally.bytes += bytes.len() as u64;
            if tally.received == 1 {
                tally.first = at;
            }
            tally.last = at;
            if let Some(sent) = sent_at {
                tally.latencies.push(at - sent);
            }
            tally.received % VERIFY_EVERY == 1
        };
        if check {
            let headers = [
                ("webhook-id", header("webhook-id")),
                ("webhook-timestamp", header("webhook-timestamp")),
                ("webhook-signature", header("webhook-signature")),
            ];
            let ok = self.signer.verify(&bytes, &headers[..]).is_ok();
            let mut tally = self.tally();
            if ok {
                tally.verified += 1;
            } else {
                tally.bad_sig += 1;
            }
        }
        answer(StatusCode::NO_CONTENT)
    }

    /// The tally so far as JSON, and a fresh one from now on.
    fn collect(&self) -> serde_json::Value {
        let t = std::mem::take(&mut *self.tally());
        json!({
            "received": t.received,
            "bytes": t.bytes,
            "first": if t.received > 0 { t.first } else { f64::INFINITY },
            "last": t.last,
            "verified": t.verified,
            "badSig": t.bad_sig,
            "failFirst": t.fail_first,
            "failSecond": t.fail_second,
            "lat": t.latencies,
            "gaps": t.gaps,
            "gapIds": t.gap_ids,
        })
    }
}

fn answer(status: StatusCode) -> Response<Body> {
    let mut res = Response::new(Body::empty());
    *res.status_mut() = status;
    res
}

/// The text after `key` up to `end` in a JSON body (the bench's own bodies: no escapes).
fn json_field<'a>(body: &'a [u8], key: &str, end: u8) -> Option<&'a str> {
    let key = key.as_bytes();
    let at = body.windows(key.len()).position(|w| w == key)? + key.len();
    let rest = &body[at..];
    let len = rest.iter().position(|&b| b == end || b == b'}')?;
    std::str::from_utf8(&rest[..len]).ok()
}

/// Epoch ms with a fraction, as the driver's `performance.timeOrigin + performance.now()`.
fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("BENCH_SECRET").map_err(|_| "BENCH_SECRET is not set")?;
    let receiver = Arc::new(Receiver {
        signer: Webhook::new(Scheme::Standard, &secret)?,
        tally: Mutex::default(),
        first_attempts: Mutex::default(),
    });
    // One thread serves: the receiver's CPU stays off the sender's second core as much
    // as it can, and no request waits for a lock held on another thread.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let server = runtime.block_on(async {
        let r = Arc::clone(&receiver);
        let make = make_service_fn(move |_| {
            let r = Arc::clone(&r);
            async move {
                Ok::<_, Infallible>(service_fn(move |req| {
                    let r = Arc::clone(&r);
                    async move { Ok::<_, Infallible>(r.handle(req).await) }
                }))
            }
        });
        Server::try_bind(&SocketAddr::from(([127, 0, 0, 1], 0)))
            .map(|b| b.http1_keepalive(true).tcp_nodelay(true).serve(make))
    })?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening {}", server.local_addr().port())?;
        out.flush()?;
    }
    let counts = Arc::clone(&receiver);
    std::thread::spawn(move || loop {
        std::thread::sleep(COUNT_EVERY);
        let (received, fail_second) = {
            let t = counts.tally();
            (t.received, t.fail_second)
        };
        let mut out = std::io::stdout().lock();
        if writeln!(out, "count {received} {fail_second}")
            .and_then(|()| out.flush())
            .is_err()
        {
            std::process::exit(0); // the driver is gone
        }
    });
    let control = Arc::clone(&receiver);
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            match line.as_deref().map(str::trim) {
                Ok("collect") => {
                    let collected = control.collect();
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(out, "collected {collected}").and_then(|()| out.flush());
                }
                Ok("exit") | Err(_) => break,
                Ok(_) => {}
            }
        }
        // `exit`, or the driver closed our stdin (it is gone).
        std::process::exit(0);
    });
    runtime.block_on(server)?;
    Ok(())
}
