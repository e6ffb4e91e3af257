//! The HTTP server of `serve`: the routes on hyper's HTTP/1.1 connections, with what
//! warp's own server lacks: a time limit on reading a request's head (the body's is
//! `api::filters`'), a deadline after which a shutdown stops waiting for connections, and
//! the API's JSON error body on the answers hyper writes itself.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use hyper014::server::conn::Http;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;

use crate::api::error::ApiError;
use crate::api::Peer;

pub struct Limits {
    /// A request's head (request line and headers) must arrive within this long of the
    /// connection's opening or its previous answer, else the connection is closed.
    pub header_read_timeout: Duration,
    /// After the shutdown signal, connections get this long to finish their requests
    /// (answers being streamed included); those still open are then closed.
    pub shutdown_grace: Duration,
}

/// Serves `routes` on `listener` until `shutdown` resolves, then lets the open connections
/// finish their requests for `limits.shutdown_grace` at most.
pub async fn serve(
    listener: TcpListener,
    routes: BoxedFilter<(Response,)>,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let mut http = Http::new();
    http.http1_only(true)
        .http1_header_read_timeout(limits.header_read_timeout);
    let service = warp::service(routes);
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    // warp's own server gives its routes the peer's address; this one
                    // hands it over in each request's extensions (`api::Peer`).
                    let service = service.clone();
                    let service = hyper014::service::service_fn(move |mut req| {
                        req.extensions_mut().insert(Peer(peer));
                        let mut service = service.clone();
                        hyper014::service::Service::call(&mut service, req)
                    });
                    let conn = http.serve_connection(JsonErrors::new(stream), service);
                    let mut stopping = stopping.clone();
                    connections.spawn(async move {
                        tokio::pin!(conn);
                        tokio::select! {
                            _ = conn.as_mut() => return,
                            _ = stopping.wait_for(|s| *s) => {}
                        }
                        conn.as_mut().graceful_shutdown();
                        let _ = conn.await;
                    });
                }
                // Out of file descriptors, or a connection reset before it was accepted:
                // carry on, after a pause in case it is the former.
                Err(e) => {
                    tracing::warn!(error = %e, "accepting a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let _ = stop.send(true);
    let finished = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(limits.shutdown_grace, finished)
        .await
        .is_err()
    {
        tracing::warn!(
            connections = connections.len(),
            grace = ?limits.shutdown_grace,
            "closing the connections still open"
        );
        connections.shutdown().await;
    }
}

/// A connection whose bytes pass through both ways, except the answers hyper writes itself
/// when it cannot parse a request (400, 414 URI too long, 431 headers too large: a head
/// and no body): they get the API's JSON error body, as every other 4xx does.
struct JsonErrors<T> {
    io: T,
    /// A rewritten answer, and how much of it is written.
    pending: Vec<u8>,
    written: usize,
}

impl<T> JsonErrors<T> {
    fn new(io: T) -> JsonErrors<T> {
        JsonErrors {
            io,
            pending: Vec::new(),
            written: 0,
        }
    }
}

impl<T: AsyncWrite + Unpin> JsonErrors<T> {
    /// Writes out the rewritten answer, if any.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.pending.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for JsonErrors<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for JsonErrors<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        ready!(this.poll_pending(cx))?;
        if let Some(answer) = with_json_body(buf) {
            this.pending = answer;
            // Taken whole; what the socket does not take now goes out on the next write,
            // flush or shutdown.
            if let Poll::Ready(Err(e)) = this.poll_pending(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    // Not vectored: hyper then hands over an answer's head and body in one buffer, so a
    // head alone is a bodiless answer.
    fn is_write_vectored(&self) -> bool {
        false
    }
}

/// `bytes` again with a JSON error body, when they are a whole 4xx answer without one
/// (`content-length: 0`); `None` for anything else.
fn with_json_body(bytes: &[u8]) -> Option<Vec<u8>> {
    let status = bytes
        .strip_prefix(b"HTTP/1.1 ")
        .or_else(|| bytes.strip_prefix(b"HTTP/1.0 "))?
        .get(..3)?;
    let status = StatusCode::from_bytes(status).ok()?;
    let head_len = bytes.windows(4).position(|w| w == b"\r\n\r\n")? + 2;
    if !status.is_client_error() || head_len + 2 != bytes.len() {
        return None;
    }
    let head = std::str::from_utf8(&bytes[..head_len]).ok()?;
    let mut lines = head.split_terminator("\r\n");
    let status_line = lines.next()?;
    let mut empty = false;
    let mut answer = format!("{status_line}\r\n");
    for line in lines {
        if line.eq_ignore_ascii_case("content-length: 0") {
            empty = true;
        } else {
            answer.push_str(line);
            answer.push_str("\r\n");
        }
    }
    if !empty {
        return None;
    }
    let body = parse_error(status).body();
    answer.push_str(&format!(
        "content-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    ));
    let mut answer = answer.into_bytes();
    answer.extend_from_slice(&body);
    Some(answer)
}

/// What a bodiless 4xx of hyper's (or of warp's file server) says.
fn parse_error(status: StatusCode) -> ApiError {
    let (code, message) = match status {
        StatusCode::URI_TOO_LONG => ("uri_too_long", "the request's URL is too long"),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => (
            "headers_too_large",
            "the request's headers are too large or too many (at most 100)",
        ),
        StatusCode::RANGE_NOT_SATISFIABLE => (
            "range_not_satisfiable",
            "the Range header asks for bytes the file does not have",
        ),
        _ => ("bad_request", "the request is not valid HTTP/1.1"),
    };
    ApiError::new(status, code, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodiless_4xx_answers_get_a_json_body() {
        let answer = with_json_body(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: x\r\n\r\n",
        )
        .unwrap();
        let text = String::from_utf8(answer).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 431 "), "{head}");
        assert!(head.contains("\r\ndate: x\r\n"), "{head}");
        assert!(
            head.ends_with(&format!("content-length: {}", body.len())),
            "{head}"
        );
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["error"]["code"], "headers_too_large");
        for untouched in [
            &b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"[..],
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\n{}",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\nHTTP/1.1 200",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n",
            b"\r\n\r\n",
            b"",
        ] {
            assert_eq!(with_json_body(untouched), None, "{untouched:?}");
        }
    }
}
