//! One HTTP attempt: POST the signed body, classify what came back.

use std::time::{Duration, Instant};

use crate::store::Outcome;

/// Bytes of the receiver's answer kept in the attempt log.
const RESPONSE_BODY_LOG_BYTES: usize = 4096;

/// What one attempt learned.
#[derive(Debug, Clone)]
pub struct Sent {
    pub outcome: Outcome,
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub response_body: Option<String>,
    pub duration: Duration,
}

impl Sent {
    /// An attempt that failed before any request went out.
    pub fn not_sent(error: String) -> Sent {
        Sent {
            outcome: Outcome::Error,
            status_code: None,
            error: Some(error),
            response_body: None,
            duration: Duration::ZERO,
        }
    }
}

/// POSTs `body` (`Bytes` are sent as they are, not copied) to `url` (a `reqwest::Url`
/// is used as parsed).
pub async fn post(
    client: &reqwest::Client,
    url: impl reqwest::IntoUrl,
    headers: &[(String, String)],
    body: impl Into<reqwest::Body>,
    timeout: Duration,
) -> Sent {
    let start = Instant::now();
    let mut req = client.post(url).timeout(timeout).body(body);
    for (name, value) in headers {
        req = req.header(name, value);
    }
    let result = match req.send().await {
        Ok(resp) => {
            let status = resp.status();
            // The timeout covers the body too, so a receiver that stalls mid-answer times out.
            read_capped(resp, RESPONSE_BODY_LOG_BYTES)
                .await
                .map(|bytes| (status, bytes))
        }
        Err(e) => Err(e),
    };
    let duration = start.elapsed();
    match result {
        Ok((status, bytes)) => {
            let mut text = String::from_utf8_lossy(&bytes).into_owned();
            // Replacement characters may have grown it past the cap.
            let mut end = text.len().min(RESPONSE_BODY_LOG_BYTES);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
            Sent {
                outcome: if status.is_success() {
                    Outcome::Success
                } else {
                    Outcome::HttpError
                },
                status_code: Some(status.as_u16()),
                error: (!status.is_success()).then(|| format!("HTTP {status}")),
                response_body: Some(text),
                duration,
            }
        }
        Err(e) => {
            let (outcome, error) = if e.is_timeout() {
                (
                    Outcome::Timeout,
                    format!("timed out after {} ms", timeout.as_millis()),
                )
            } else {
                (Outcome::ConnectionError, error_chain(&e))
            };
            Sent {
                outcome,
                status_code: None,
                error: Some(error),
                response_body: None,
                duration,
            }
        }
    }
}

/// The first `cap` bytes of the answer's body. The rest is never read: a receiver
/// streaming megabytes (or forever) costs at most `cap` bytes of memory, and dropping the
/// response closes the connection.
async fn read_capped(mut resp: reqwest::Response, cap: usize) -> Result<Vec<u8>, reqwest::Error> {
    let mut kept = Vec::new();
    while kept.len() < cap {
        match resp.chunk().await? {
            Some(chunk) => kept.extend_from_slice(&chunk[..chunk.len().min(cap - kept.len())]),
            None => break,
        }
    }
    Ok(kept)
}

/// reqwest's top-level message is vague ("error sending request"); the cause says why.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}
