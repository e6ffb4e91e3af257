//! Forwarding and replaying a capture: the same method, bytes and headers (minus the
//! hop-by-hop ones, which belong to one connection), optionally signed afresh.

use std::time::{Duration, Instant};

use bytes::Bytes;
use hookproof::Webhook;
use http_body_util::{BodyExt, Full};

use super::Capture;
use crate::clock::now_ms;
use crate::delivery::{parse_url, HttpClient};
pub use crate::store::inbox::Forwarded;

/// Bytes of the answer kept.
const ANSWER_BYTES: usize = 4096;

/// Headers that describe one connection, not the request (RFC 9110 7.6.1), and those
/// hyper sets again for the new one.
const HOP_BY_HOP: [&str; 10] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
];

/// The headers to send on: the captured ones minus hop-by-hop (and those the `Connection`
/// header names); with `resign`, the scheme's signature headers replaced by new ones.
pub fn headers_to_send(
    capture: &Capture,
    resign: Option<&Webhook>,
) -> Result<Vec<(String, String)>, hookproof::Error> {
    let named_by_connection: Vec<String> = capture
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("connection"))
        .flat_map(|(_, v)| v.split(',').map(|t| t.trim().to_ascii_lowercase()))
        .collect();
    let mut headers: Vec<(String, String)> = capture
        .headers
        .iter()
        .filter(|(n, _)| {
            let n = n.to_ascii_lowercase();
            !HOP_BY_HOP.contains(&n.as_str()) && !named_by_connection.contains(&n)
        })
        .cloned()
        .collect();
    if let Some(webhook) = resign {
        let scheme = webhook.scheme();
        let signed: Vec<&str> = scheme
            .header_names()
            .iter()
            .chain(scheme.alternate_header_names().unwrap_or_default())
            .copied()
            .collect();
        headers.retain(|(n, _)| !signed.iter().any(|s| s.eq_ignore_ascii_case(n)));
        let id = crate::ids::delivery_id(scheme);
        for (name, value) in webhook.sign(&capture.body_bytes(), &id, now_ms() / 1000)? {
            headers.push((name.to_owned(), value));
        }
    }
    Ok(headers)
}

/// Sends `capture` to `url` and reads the answer, within `timeout`. The URL's userinfo goes
/// as `Authorization: Basic` (`delivery::Endpoint`) unless the capture carried an
/// Authorization header, which is sent on as it came.
pub async fn send(
    client: &HttpClient,
    url: &str,
    capture: &Capture,
    resign: Option<&Webhook>,
    timeout: Duration,
) -> Forwarded {
    let mut out = Forwarded {
        url: url.to_owned(),
        sent_at: now_ms(),
        resigned: resign.is_some(),
        headers: vec![],
        status_code: None,
        error: None,
        response_time_ms: 0,
        response_body: None,
    };
    let mut headers = match headers_to_send(capture, resign) {
        Ok(h) => h,
        Err(e) => {
            out.error = Some(format!("cannot sign: {e}"));
            return out;
        }
    };
    let Some(endpoint) = parse_url(url) else {
        out.error = Some(format!("not a valid URL: {}", crate::mask::url(url)));
        return out;
    };
    endpoint.authorize(&mut headers);
    let mut req = hyper::Request::builder()
        .method(capture.method.as_str())
        .uri(endpoint.uri);
    for (name, value) in &headers {
        req = req.header(name, value);
    }
    out.headers = headers;
    let req = match req.body(Full::new(Bytes::from(capture.body_bytes()))) {
        Ok(r) => r,
        Err(e) => {
            out.error = Some(format!("cannot build the request: {e}"));
            return out;
        }
    };
    let start = Instant::now();
    let exchange = async {
        let resp = client.request(req).await?;
        let status = resp.status().as_u16();
        // The answer past the cap is not read: the log keeps its start.
        let mut body = resp.into_body();
        let mut kept = Vec::new();
        while kept.len() < ANSWER_BYTES {
            match body.frame().await {
                Some(Ok(frame)) => {
                    if let Some(data) = frame.data_ref() {
                        let room = ANSWER_BYTES - kept.len();
                        kept.extend_from_slice(&data[..data.len().min(room)]);
                    }
                }
                Some(Err(e)) => return Err(format!("reading the answer: {e}")),
                None => break,
            }
        }
        Ok::<_, String>((status, kept))
    };
    match tokio::time::timeout(timeout, exchange).await {
        Ok(Ok((status, body))) => {
            out.status_code = Some(status);
            out.response_body = Some(String::from_utf8_lossy(&body).into_owned());
        }
        Ok(Err(e)) => out.error = Some(e),
        Err(_) => out.error = Some(format!("timed out after {} ms", timeout.as_millis())),
    }
    out.response_time_ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
    out
}
