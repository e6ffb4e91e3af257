//! One HTTP attempt: POST the signed body, classify what came back.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::Request;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use super::endpoint::{parse_url, Endpoint};
use crate::store::Outcome;

/// How the error of an attempt that ran out of time begins.
pub const TIMED_OUT: &str = "timed out";

/// The header marking every request the sender makes with its client's random id, so
/// that one coming back to its own API is known and refused (`api::guard`).
pub const HOP_HEADER: &str = "hookproof-sender-hop";

/// Bytes of the receiver's answer kept in the attempt log.
const RESPONSE_BODY_LOG_BYTES: usize = 4096;

/// The answer's headers kept in the attempt log: at most this many, in the order received...
pub const RESPONSE_HEADERS_LOG_COUNT: usize = 64;
/// ... and at most this many bytes of names and values together (a header past it is left
/// out whole, never cut), so a receiver's answer costs the log a bounded size.
pub const RESPONSE_HEADERS_LOG_BYTES: usize = 8192;

/// What one attempt learned.
#[derive(Debug, Clone)]
pub struct Sent {
    pub outcome: Outcome,
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub response_body: Option<String>,
    /// The answer's headers (names lower-case), bounded in count and bytes
    /// (`logged_headers`: the first 64 that fit in 8 KiB).
    pub response_headers: Vec<(String, String)>,
    /// The answer's `Retry-After` (delta-seconds or an HTTP date), at most a day.
    pub retry_after: Option<Duration>,
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
            response_headers: Vec::new(),
            retry_after: None,
            duration: Duration::ZERO,
        }
    }
}

/// The HTTP client of every attempt (and of `probe`): HTTP/1.1 on keep-alive connections
/// (hyper's pool), TLS by rustls, no redirects followed (a provider reports them as
/// failures), no proxy. Cheap to clone.
///
/// hyper rather than reqwest: reqwest wraps each request in layers this sender does not
/// use (redirects, retries, a proxy matcher) and parses the URL again from every response,
/// about a tenth of the sender's CPU per delivery.
#[derive(Clone)]
pub struct HttpClient {
    inner: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    /// This client's `HOP_HEADER` value: random, one per client (per process in `serve`).
    hop: Arc<str>,
}

impl HttpClient {
    /// A client trusting the certificates of `roots` (and nothing else).
    pub fn new(roots: rustls::RootCertStore) -> Result<HttpClient, rustls::Error> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        // A request is written in one go and its answer awaited: no Nagle delay.
        http.set_nodelay(true);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        // With a timer, the pool closes connections idle for 90 s (its default); without
        // one they stay open until the receiver closes them.
        let inner = Client::builder(TokioExecutor::new())
            .timer(TokioTimer::new())
            .pool_timer(TokioTimer::new())
            .build(https);
        let hop = format!("{:032x}", rand::random::<u128>()).into();
        Ok(HttpClient { inner, hop })
    }

    /// The `HOP_HEADER` value of this client's requests.
    pub fn hop(&self) -> &str {
        &self.hop
    }

    /// Sends any request and returns the answer's head, its body still to read (the CLI's
    /// calls to a running sender's API); the error is the whole chain of causes.
    pub async fn request(
        &self,
        req: Request<Full<Bytes>>,
    ) -> Result<hyper::Response<Incoming>, String> {
        self.inner.request(req).await.map_err(|e| error_chain(&e))
    }
}

/// Where an attempt goes: parsed once per webhook (`parse_url`), or the text as the
/// user gave it, which fails at `post` if it is not a URL.
pub enum Target<'a> {
    Parsed(&'a Endpoint),
    Text(&'a str),
}

/// POSTs `body` (the same bytes, not copied) to `url` with `headers`, and the URL's
/// credentials as `Authorization` unless `headers` have one (`Endpoint::authorization_for`);
/// `timeout` covers everything from connecting to reading the answer.
pub async fn post(
    client: &HttpClient,
    url: Target<'_>,
    headers: &[(String, String)],
    body: Bytes,
    timeout: Duration,
) -> Sent {
    let start = Instant::now();
    let parsed;
    let endpoint = match url {
        Target::Parsed(endpoint) => endpoint,
        Target::Text(text) => match parse_url(text) {
            Some(endpoint) => {
                parsed = endpoint;
                &parsed
            }
            None => return Sent::not_sent(format!("not a valid URL: {}", crate::mask::url(text))),
        },
    };
    let mut req = Request::post(endpoint.uri.clone()).header(HOP_HEADER, &*client.hop);
    if let Some(credentials) = endpoint.authorization_for(headers) {
        req = req.header(hyper::header::AUTHORIZATION, credentials);
    }
    for (name, value) in headers {
        req = req.header(name, value);
    }
    let req = match req.body(Full::new(body)) {
        Ok(req) => req,
        Err(e) => return Sent::not_sent(format!("cannot build the request: {e}")),
    };
    let exchange = async {
        let resp = client
            .inner
            .request(req)
            .await
            .map_err(|e| error_chain(&e))?;
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get(hyper::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let headers = logged_headers(resp.headers());
        // The timeout covers the body too, so a receiver that stalls mid-answer times out.
        read_capped(resp.into_body(), RESPONSE_BODY_LOG_BYTES)
            .await
            .map(|bytes| (status, bytes, retry_after, headers))
            .map_err(|e| format!("reading the answer: {}", error_chain(&e)))
    };
    let result = tokio::time::timeout(timeout, exchange).await;
    let duration = start.elapsed();
    match result {
        Ok(Ok((status, bytes, retry_after, response_headers))) => {
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
                response_headers,
                retry_after,
                duration,
            }
        }
        Ok(Err(error)) => Sent {
            outcome: Outcome::ConnectionError,
            status_code: None,
            error: Some(error),
            response_body: None,
            response_headers: Vec::new(),
            retry_after: None,
            duration,
        },
        Err(_) => Sent {
            outcome: Outcome::Timeout,
            status_code: None,
            error: Some(format!("{TIMED_OUT} after {} ms", timeout.as_millis())),
            response_body: None,
            response_headers: Vec::new(),
            retry_after: None,
            duration,
        },
    }
}

/// The answer's headers as the log keeps them: in order, repeats kept, names lower-case,
/// a value that is not UTF-8 read lossily; the first [`RESPONSE_HEADERS_LOG_COUNT`] that fit
/// in [`RESPONSE_HEADERS_LOG_BYTES`].
fn logged_headers(headers: &hyper::HeaderMap) -> Vec<(String, String)> {
    let mut kept = Vec::new();
    let mut bytes = 0;
    for (name, value) in headers {
        let size = name.as_str().len() + value.len();
        if kept.len() == RESPONSE_HEADERS_LOG_COUNT || bytes + size > RESPONSE_HEADERS_LOG_BYTES {
            break;
        }
        bytes += size;
        kept.push((
            name.as_str().to_owned(),
            String::from_utf8_lossy(value.as_bytes()).into_owned(),
        ));
    }
    kept
}

/// The longest `Retry-After` heeded.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// A `Retry-After` value (RFC 9110: delta-seconds or an HTTP date) as a wait from now, at
/// most [`MAX_RETRY_AFTER`]; `None` if it is neither.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    let wait = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        Duration::from_secs(value.parse().unwrap_or(u64::MAX))
    } else {
        let at = httpdate::parse_http_date(value).ok()?;
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO)
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// The first `cap` bytes of the answer's body. The rest is never read: a receiver
/// streaming megabytes (or forever) costs at most `cap` bytes of memory, and dropping the
/// response closes the connection.
async fn read_capped(mut body: Incoming, cap: usize) -> Result<Vec<u8>, hyper::Error> {
    let mut kept = Vec::new();
    while kept.len() < cap {
        match body.frame().await.transpose()? {
            Some(frame) => {
                if let Ok(chunk) = frame.into_data() {
                    kept.extend_from_slice(&chunk[..chunk.len().min(cap - kept.len())]);
                }
            }
            None => break,
        }
    }
    Ok(kept)
}

/// hyper's top-level message is vague ("client error (Connect)"); the causes say why.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_logged_headers_are_bounded_in_count_and_size() {
        let mut h = hyper::HeaderMap::new();
        h.append("x-a", "1".parse().unwrap());
        h.append("x-a", "2".parse().unwrap());
        h.insert(
            "x-b",
            hyper::header::HeaderValue::from_bytes(b"\xffok").unwrap(),
        );
        assert_eq!(
            logged_headers(&h),
            [("x-a", "1"), ("x-a", "2"), ("x-b", "\u{fffd}ok")].map(|(k, v)| (k.into(), v.into()))
        );
        let mut many = hyper::HeaderMap::new();
        for i in 0..200 {
            many.append(
                format!("x-{i}")
                    .parse::<hyper::header::HeaderName>()
                    .unwrap(),
                "v".parse().unwrap(),
            );
        }
        assert_eq!(logged_headers(&many).len(), RESPONSE_HEADERS_LOG_COUNT);
        let mut big = hyper::HeaderMap::new();
        let value = "v".repeat(3000);
        for name in ["x-1", "x-2", "x-3", "x-4"] {
            big.insert(name, value.parse().unwrap());
        }
        let kept = logged_headers(&big);
        assert_eq!(
            kept.len(),
            2,
            "a third would pass {RESPONSE_HEADERS_LOG_BYTES} bytes"
        );
        assert!(kept.iter().all(|(_, v)| v.len() == 3000), "none is cut");
    }

    #[test]
    fn retry_after_is_seconds_or_a_date() {
        assert_eq!(parse_retry_after("120"), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after(" 0 "), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("99999999999999999999"),
            Some(MAX_RETRY_AFTER)
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        let later = std::time::SystemTime::now() + Duration::from_secs(3600);
        let wait = parse_retry_after(&httpdate::fmt_http_date(later)).unwrap();
        assert!(wait > Duration::from_secs(3590) && wait <= Duration::from_secs(3600));
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after(""), None);
        assert_eq!(parse_retry_after("-5"), None);
    }
}
