//! A running sender's REST API, as the CLI's client commands call it: JSON in, the
//! answer's `data` out, the API's `{error: {code, message, field}}` as an error.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Method, Request};
use serde_json::Value;

use hookproof_sender::delivery::{take_credentials, HttpClient};
use hookproof_sender::Config;

/// Where the client commands look for a sender by default: `serve`'s default `--addr`.
pub const DEFAULT_API: &str = "http://127.0.0.1:8787";

/// Why a call failed.
#[derive(Debug)]
pub enum CallError {
    /// No answer: nothing listens there, or the connection broke.
    Unreachable { api: String, message: String },
    /// The API's own error.
    Api {
        status: u16,
        code: String,
        message: String,
        field: Option<String>,
    },
    /// An answer that is not the API's JSON.
    Unexpected(String),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Unreachable { api, message } => write!(
                f,
                "cannot reach a sender at {api} ({message}): start one with \
                 `hookproof-sender serve`, or name it with --api URL (or HOOKPROOF_SENDER_URL)"
            ),
            CallError::Api {
                status,
                code,
                message,
                field,
            } => match field {
                Some(field) => write!(f, "{message} ({code}, field {field}; HTTP {status})"),
                None => write!(f, "{message} ({code}; HTTP {status})"),
            },
            CallError::Unexpected(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for CallError {}

pub struct Api {
    /// Without the URL's userinfo, which goes in `authorization`.
    base: String,
    /// `Bearer <token>`, else the URL's `Basic` credentials (a sender behind a proxy
    /// asking for them), else none.
    authorization: Option<String>,
    http: HttpClient,
}

impl Api {
    /// A client of the sender at `base` (`http://host:port`, a trailing `/` or `/v1`
    /// allowed), sending `token` as a bearer token when given, else the URL's userinfo as
    /// `Authorization: Basic`.
    pub fn new(base: &str, token: Option<String>) -> Result<Api, String> {
        let trimmed = base.trim_end_matches('/');
        let trimmed = trimmed.strip_suffix("/v1").unwrap_or(trimmed);
        let mut url = match url::Url::parse(trimmed) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => u,
            _ => {
                return Err(format!(
                    "--api: `{}` is not an http(s) URL like {DEFAULT_API}",
                    hookproof_sender::mask::url(base)
                ))
            }
        };
        let basic = take_credentials(&mut url);
        let base = match basic {
            Some(_) => url.as_str().trim_end_matches('/').to_owned(),
            None => trimmed.to_owned(),
        };
        let http = hookproof_sender::http_client(&Config::default()).map_err(|e| e.to_string())?;
        Ok(Api {
            base,
            authorization: token.map(|t| format!("Bearer {t}")).or(basic),
            http,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
    ) -> Result<hyper::Response<Incoming>, CallError> {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("accept", "application/json");
        if let Some(value) = &self.authorization {
            req = req.header("authorization", value);
        }
        let bytes = match body {
            Some(b) => {
                req = req.header("content-type", "application/json");
                Bytes::from(b)
            }
            None => Bytes::new(),
        };
        let req = req
            .body(Full::new(bytes))
            .map_err(|e| CallError::Unexpected(format!("cannot build the request: {e}")))?;
        self.http
            .request(req)
            .await
            .map_err(|message| CallError::Unreachable {
                api: self.base.clone(),
                message,
            })
    }

    /// One call: the answer's `data` (`Null` for a 204).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, CallError> {
        self.call_text(method, path, body.map(Value::to_string))
            .await
    }

    /// [`Api::call`] with a body that is already JSON text, sent as it is (so that data
    /// embedded as a `RawValue` keeps its number text and key order).
    pub async fn call_text(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
    ) -> Result<Value, CallError> {
        let res = self.send(method, path, body).await?;
        let status = res.status();
        let bytes = res
            .into_body()
            .collect()
            .await
            .map_err(|e| CallError::Unreachable {
                api: self.base.clone(),
                message: format!("reading the answer: {e}"),
            })?
            .to_bytes();
        if bytes.is_empty() && status.is_success() {
            return Ok(Value::Null);
        }
        let json: Value = serde_json::from_slice(&bytes).map_err(|_| {
            CallError::Unexpected(format!(
                "{} answered HTTP {status} with something other than the sender's JSON: is it a hookproof-sender?",
                self.base
            ))
        })?;
        if status.is_success() {
            return Ok(json.get("data").cloned().unwrap_or(json));
        }
        let e = &json["error"];
        Err(CallError::Api {
            status: status.as_u16(),
            code: e["code"].as_str().unwrap_or("unknown").to_owned(),
            message: e["message"]
                .as_str()
                .unwrap_or("the sender refused the request")
                .to_owned(),
            field: e["field"].as_str().map(str::to_owned),
        })
    }

    /// `GET /v1/stream`: the server-sent events as they come, `(event, data)`, to `each`
    /// until the stream ends (the sender stopped) or `each` returns false.
    pub async fn follow(&self, mut each: impl FnMut(&str, Value) -> bool) -> Result<(), CallError> {
        let res = self.send(Method::GET, "/v1/stream", None).await?;
        if !res.status().is_success() {
            let status = res.status();
            return Err(CallError::Api {
                status: status.as_u16(),
                code: if status.as_u16() == 401 {
                    "unauthorized".into()
                } else {
                    "stream_refused".into()
                },
                message: format!("GET /v1/stream was refused (HTTP {status}); a --token?"),
                field: None,
            });
        }
        let mut body = res.into_body();
        let mut text = String::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| CallError::Unreachable {
                api: self.base.clone(),
                message: format!("the stream broke: {e}"),
            })?;
            let Some(chunk) = frame.data_ref() else {
                continue;
            };
            text.push_str(&String::from_utf8_lossy(chunk));
            while let Some(end) = text.find("\n\n") {
                let block: String = text.drain(..end + 2).collect();
                if let Some((name, data)) = sse_event(&block) {
                    if !each(&name, data) {
                        return Ok(());
                    }
                }
            }
        }
        Ok(())
    }
}

/// One server-sent event block: its `event:` name and `data:` JSON (comments skipped).
fn sse_event(block: &str) -> Option<(String, Value)> {
    let mut name = "message";
    let mut data = String::new();
    for line in block.lines() {
        if let Some(v) = line.strip_prefix("event:") {
            name = v.trim();
        } else if let Some(v) = line.strip_prefix("data:") {
            data.push_str(v.strip_prefix(' ').unwrap_or(v));
        }
    }
    let data = serde_json::from_str(&data).ok()?;
    Some((name.to_owned(), data))
}

/// `?a=b&c=d` of the pairs with a value, or nothing.
pub fn query(pairs: &[(&str, Option<String>)]) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    let mut any = false;
    for (k, v) in pairs {
        if let Some(v) = v {
            q.append_pair(k, v);
            any = true;
        }
    }
    if any {
        format!("?{}", q.finish())
    } else {
        String::new()
    }
}

/// A path segment (an id given on the command line), percent-encoded.
pub fn segment(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn server_sent_events() {
        let (name, data) = super::sse_event("event: attempt\ndata: {\"a\":1}\n\n").unwrap();
        assert_eq!(name, "attempt");
        assert_eq!(data["a"], 1);
        assert!(super::sse_event(": keep-alive\n\n").is_none());
    }

    #[test]
    fn queries() {
        assert_eq!(super::query(&[("a", None)]), "");
        assert_eq!(
            super::query(&[
                ("status", Some("failed".into())),
                ("x", None),
                ("e", Some("a b".into()))
            ]),
            "?status=failed&e=a+b"
        );
        assert_eq!(super::segment("wh_1/x"), "wh_1%2Fx");
    }
}
