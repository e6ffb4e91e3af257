//! What keeps a web page elsewhere from driving the sender through its visitor's browser
//! (the `Host` a request names, and the `Origin` of the page that sent it), and the sender
//! from driving itself (a request it sent coming back; `webhooks::checks` refuses a webhook
//! at its own address).

use std::net::IpAddr;
use std::sync::Arc;

use warp::http::StatusCode;
use warp::{Filter, Rejection};

use super::error::ApiError;
use super::State;
use crate::delivery::HOP_HEADER;

/// Refuses what a web page elsewhere could make a browser send, on every bind: a `Host`
/// that is not a name the sender answers to (a DNS-rebinding page names its own host), and
/// an `Origin` other than a loopback one or the sender's own. Clients that are not
/// browsers (curl, SDKs, the tests) send no `Origin`.
pub fn same_site(state: &State) -> impl Filter<Extract = (), Error = Rejection> + Clone {
    let allowed = Arc::clone(&state.allowed_hosts);
    warp::header::optional::<String>("host")
        .and(warp::header::optional::<String>("origin"))
        .and_then(move |host: Option<String>, origin: Option<String>| {
            let allowed = Arc::clone(&allowed);
            async move {
                if let Some(host) = host.as_deref().filter(|h| !host_allowed(h, &allowed)) {
                    return Err(warp::reject::custom(forbidden_host(host)));
                }
                if let Some(origin) = origin.filter(|o| !origin_allowed(o, host.as_deref())) {
                    return Err(warp::reject::custom(ApiError::new(
                        StatusCode::FORBIDDEN,
                        "forbidden_origin",
                        format!(
                            "requests from pages at {origin} are refused: only the sender's own \
                             pages and loopback origins may call it from a browser"
                        ),
                    )));
                }
                Ok(())
            }
        })
        .untuple_one()
}

/// Refuses a request the sender itself sent (it carries its own `HOP_HEADER` mark): a
/// webhook pointing back at the sender, by a name it cannot tell is its own or through a
/// proxy, would have each delivery make new ones.
pub fn not_sent_by_itself(state: &State) -> impl Filter<Extract = (), Error = Rejection> + Clone {
    let own: Arc<str> = state.engine.hop().into();
    warp::header::optional::<String>(HOP_HEADER)
        .and_then(move |hop: Option<String>| {
            // A proxy may have joined several senders' marks with commas.
            let looped = hop.is_some_and(|h| h.split(',').any(|m| m.trim() == &*own));
            async move {
                if looped {
                    Err(warp::reject::custom(ApiError::new(
                        StatusCode::LOOP_DETECTED,
                        "loop_detected",
                        format!(
                            "this request was sent by this sender ({HOP_HEADER}): one of its \
                             webhooks points back at it, so each delivery would make more"
                        ),
                    )))
                } else {
                    Ok(())
                }
            }
        })
        .untuple_one()
}

fn forbidden_host(host: &str) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "forbidden_host",
        format!(
            "the sender answers requests for loopback names (localhost, 127.0.0.1, [::1]), IP \
             addresses and the names given with --allowed-host, not {host}: a guard against DNS \
             rebinding"
        ),
    )
}

/// Whether a request for `authority` (a `Host` header) is for the sender: a loopback
/// name, an IP address (the bound one among them; an address cannot be rebound, a DNS
/// rebinding page needs a name of its own), or a name given with `--allowed-host`.
fn host_allowed(authority: &str, allowed: &[String]) -> bool {
    let host = host_of(authority);
    is_loopback_name(host)
        || host.parse::<IpAddr>().is_ok()
        || allowed.iter().any(|a| a.eq_ignore_ascii_case(host))
}

/// Whether a page at `origin` may call the sender: a loopback page, or the sender's own
/// (the origin names the host the request is for).
fn origin_allowed(origin: &str, host: Option<&str>) -> bool {
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    authority.is_some_and(|a| {
        is_loopback_name(host_of(a)) || host.is_some_and(|h| h.eq_ignore_ascii_case(a))
    })
}

/// The host of `authority` (`host[:port]`, as in `Host` and `Origin`), an IPv6 address
/// without its brackets.
fn host_of(authority: &str) -> &str {
    match authority.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => authority
            .rsplit_once(':')
            .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
            .map_or(authority, |(host, _)| host),
    }
}

/// Whether `host` names this machine: `localhost` or a `.localhost` name (which browsers
/// resolve to loopback themselves), or a loopback IP address.
fn is_loopback_name(host: &str) -> bool {
    host.to_ascii_lowercase().ends_with(".localhost") || super::is_loopback_host(host)
}

/// An `--allowed-host` value as the guard compares it: lower case, without a port.
pub fn allowed_host(name: &str) -> Result<String, String> {
    let host = host_of(name.trim());
    let ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    if ok {
        Ok(host.to_ascii_lowercase())
    } else {
        Err(format!("`{name}` is not a host name like devbox.lan"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        let allowed = ["devbox.lan".to_owned()];
        for host in [
            "localhost:8787",
            "app.localhost",
            "127.0.0.1:8787",
            "[::1]:8787",
            "192.168.1.20:8787",
            "[fe80::1]",
            "DEVBOX.lan:8787",
            "devbox.lan",
        ] {
            assert!(host_allowed(host, &allowed), "{host}");
        }
        for host in [
            "evil.example:8787",
            "127.0.0.1.evil.example",
            "devbox.lan.evil.example",
            "",
        ] {
            assert!(!host_allowed(host, &allowed), "{host}");
        }
        assert_eq!(allowed_host("DevBox.lan:8787").as_deref(), Ok("devbox.lan"));
        assert!(allowed_host("").is_err());
        assert!(allowed_host("a b").is_err());
    }
}
