//! Every failure the API reports, and the rejection handler that turns any warp
//! rejection into `{"error": {"code", "message", "field"}}`.

use std::convert::Infallible;

use serde::de::DeserializeOwned;
use serde::Serialize;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Rejection, Reply};

use crate::store::StoreError;
use crate::webhooks;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
}

impl warp::reject::Reject for ApiError {}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    /// A 400 blaming one field of the request.
    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            field: Some(field.to_owned()),
            ..ApiError::new(StatusCode::BAD_REQUEST, "invalid_field", message)
        }
    }

    pub fn not_found(what: &str, id: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no {what} {id}"),
        )
    }

    /// 409: webhook `id` is disabled, so nothing may be sent to it now.
    pub fn webhook_disabled(id: &str) -> ApiError {
        ApiError::new(
            StatusCode::CONFLICT,
            "webhook_disabled",
            format!("webhook {id} is disabled; enable it first (PUT {{\"enabled\": true}})"),
        )
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "send Authorization: Bearer <token> (the --token given to serve)",
        )
    }

    pub fn reply(&self) -> Response {
        let mut res = warp::reply::with_status(self.body(), self.status).into_response();
        res.headers_mut().insert(
            warp::http::header::CONTENT_TYPE,
            warp::http::HeaderValue::from_static("application/json"),
        );
        res
    }

    /// `{"error": {"code", "message", "field"}}`.
    pub fn body(&self) -> Vec<u8> {
        #[derive(Serialize)]
        struct Body<'a> {
            error: Inner<'a>,
        }
        #[derive(Serialize)]
        struct Inner<'a> {
            code: &'a str,
            message: &'a str,
            field: Option<&'a str>,
        }
        let body = Body {
            error: Inner {
                code: self.code,
                message: &self.message,
                field: self.field.as_deref(),
            },
        };
        serde_json::to_vec(&body).unwrap_or_default()
    }
}

impl From<webhooks::Error> for ApiError {
    fn from(e: webhooks::Error) -> ApiError {
        match e {
            webhooks::Error::Invalid { field, message } => ApiError::invalid(&field, message),
            webhooks::Error::NotFound(id) => ApiError::not_found("webhook", &id),
            webhooks::Error::Exists(id) => ApiError {
                field: Some("id".into()),
                ..ApiError::new(
                    StatusCode::CONFLICT,
                    "conflict",
                    format!("webhook {id} exists"),
                )
            },
            webhooks::Error::Store(e) => ApiError::from(e),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        tracing::error!(error = %e, "store");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
    }
}

/// Reads serde_json's message for the field it blames (`missing field `url``).
fn field_of(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_owned())
}

/// Parses JSON, or a 400 `invalid_body` naming the field at fault (`url`, `events[1]`).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        let field = if inner.is_syntax() || inner.is_eof() {
            None
        } else {
            let named = (message.starts_with("missing field")
                || message.starts_with("unknown field"))
            .then(|| field_of(&message))
            .flatten();
            match (path.as_str(), named) {
                (".", named) => named,
                (p, Some(n)) if !p.ends_with(n.as_str()) => Some(format!("{p}.{n}")),
                (p, _) => Some(p.to_owned()),
            }
        };
        ApiError {
            field,
            ..ApiError::new(StatusCode::BAD_REQUEST, "invalid_body", message)
        }
    })?;
    de.end()
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_body", e.to_string()))?;
    Ok(value)
}

pub async fn handle_rejection(r: Rejection) -> Result<Response, Infallible> {
    use warp::reject::{
        InvalidHeader, InvalidQuery, LengthRequired, MethodNotAllowed, MissingHeader,
        PayloadTooLarge, UnsupportedMediaType,
    };
    let e = if let Some(e) = r.find::<ApiError>() {
        e.clone()
    } else if r.is_not_found() {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route")
    } else if r.find::<MethodNotAllowed>().is_some() {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "this route does not take that method (see /openapi.json)",
        )
    } else if r.find::<PayloadTooLarge>().is_some() {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "the request body is larger than --max-body-bytes",
        )
    } else if r.find::<LengthRequired>().is_some() {
        ApiError::new(
            StatusCode::LENGTH_REQUIRED,
            "length_required",
            "send a Content-Length header with the body",
        )
    } else if let Some(e) = r.find::<UnsupportedMediaType>() {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            e.to_string(),
        )
    } else if let Some(e) = r.find::<InvalidQuery>() {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.to_string())
    } else if let Some(e) = r.find::<MissingHeader>() {
        ApiError {
            field: Some(e.name().to_owned()),
            ..ApiError::new(StatusCode::BAD_REQUEST, "missing_header", e.to_string())
        }
    } else if let Some(e) = r.find::<InvalidHeader>() {
        ApiError {
            field: Some(e.name().to_owned()),
            ..ApiError::new(StatusCode::BAD_REQUEST, "invalid_header", e.to_string())
        }
    } else {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", format!("{r:?}"))
    };
    Ok(e.reply())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_from_serde_message() {
        assert_eq!(
            field_of("missing field `url` at line 1 column 2").as_deref(),
            Some("url")
        );
        assert_eq!(field_of("expected value"), None);
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        url: String,
        events: Vec<String>,
    }

    #[test]
    fn parse_errors_name_the_field() {
        let field = |json: &str| parse_json::<Body>(json.as_bytes()).unwrap_err().field;
        assert_eq!(field(r#"{"events": []}"#).as_deref(), Some("url"));
        assert_eq!(field(r#"{"url": 5, "events": []}"#).as_deref(), Some("url"));
        assert_eq!(
            field(r#"{"url": "u", "events": ["a", 1]}"#).as_deref(),
            Some("events[1]")
        );
        assert_eq!(
            field(r#"{"url": "u", "events": [], "x": 1}"#).as_deref(),
            Some("x")
        );
        assert_eq!(field(r#"{"url": "#), None);
        assert_eq!(field(r#"{"url": "u", "events": []} x"#), None);
        assert!(parse_json::<Body>(br#"{"url": "u", "events": []}"#).is_ok());
    }
}
