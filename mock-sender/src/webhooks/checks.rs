//! The rules a webhook's fields keep, each a 400 naming the field it refuses.

use std::net::{IpAddr, SocketAddr};

use hookproof::Scheme;

use super::requests::{ChaosRequest, Wait};
use super::{invalid, Error};
use crate::chaos::{Chaos, MAX_DELAY_MS};
use crate::config::parse_duration;
use crate::keys;
use crate::profile::Profile;
use crate::store::Kind;

/// Bounds on a `retry_schedule`: entries, and the longest wait (7 days).
const MAX_SCHEDULE_LEN: usize = 50;
const MAX_WAIT_MS: u64 = 7 * 86400 * 1000;

/// Whether `host` (a URL's or a `Host` header's name, an IPv6 address without brackets)
/// is this machine: `localhost` itself or a loopback address (IPv4-mapped IPv6 included).
pub fn is_loopback_host(host: &str) -> bool {
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Ok(v4) => v4.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

/// A secret generated as `signing` asks (`hmac` or `ed25519`; `current`'s kind when not
/// given, else `hmac`).
fn generate(
    signing: Option<&str>,
    current: Option<&str>,
    profile: Profile,
) -> Result<String, Error> {
    let ed25519 = match signing {
        Some("hmac") => false,
        Some("ed25519") => true,
        Some(other) => {
            return Err(invalid(
                "signing",
                format!("signing must be `hmac` or `ed25519`, not `{other}`"),
            ))
        }
        None => current.is_some_and(|s| s.starts_with(hookproof::SIGNING_KEY_PREFIX)),
    };
    if !ed25519 {
        return Ok(keys::generate_secret());
    }
    if !profile.scheme().takes_ed25519_keys() {
        return Err(invalid(
            "signing",
            format!(
                "ed25519 (Standard Webhooks' v1a) is for the standard and svix profiles, not {profile}"
            ),
        ));
    }
    Ok(keys::generate_signing_key())
}

/// The secret of a create or rotate request: the one given (then `signing` may not be),
/// or one generated.
pub fn secret_of(
    secret: Option<String>,
    signing: Option<&str>,
    current: Option<&str>,
    profile: Profile,
) -> Result<String, Error> {
    match (secret, signing) {
        (Some(_), Some(_)) => Err(invalid(
            "signing",
            "signing is for a generated secret: give secret or signing, not both",
        )),
        (Some(secret), None) => Ok(secret),
        (None, signing) => generate(signing, current, profile),
    }
}

pub fn parse_profile(name: &str) -> Result<Profile, Error> {
    name.parse()
        .map_err(|e: crate::profile::UnknownProfile| invalid("profile", e.to_string()))
}

pub fn parse_kind(name: &str) -> Result<Kind, Error> {
    Kind::ALL
        .into_iter()
        .find(|k| k.as_str() == name)
        .ok_or_else(|| {
            let hint = if name.parse::<Profile>().is_ok() {
                format!(" (`{name}` is a profile: send it as `profile`)")
            } else {
                String::new()
            };
            invalid(
                "kind",
                format!("kind must be `http` or `slack`, not `{name}`{hint}"),
            )
        })
}

/// An absolute http(s) URL; plain http only to loopback unless `--allow-http`.
pub fn check_url(url: &str, allow_http: bool) -> Result<(), Error> {
    let u = match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => u,
        _ => return Err(invalid("url", "url must be an absolute http(s) URL")),
    };
    if u.scheme() == "http" && !allow_http && !is_loopback(&u) {
        return Err(invalid(
            "url",
            "http:// is only for loopback receivers (127.0.0.1, ::1, localhost): use https, or start the sender with --allow-http",
        ));
    }
    Ok(())
}

/// A webhook's URL may not be the sender's own address (`listen`, once bound): each
/// delivery would come back as an event and make more. Same port, and a loopback or
/// unspecified host (`localhost`, `127.0.0.1`, `[::1]`, `0.0.0.0`), or the bound address.
pub fn check_not_self(url: &str, listen: Option<SocketAddr>) -> Result<(), Error> {
    let Some(listen) = listen else { return Ok(()) };
    let Ok(u) = url::Url::parse(url) else {
        return Ok(());
    };
    let ip = match u.host() {
        Some(url::Host::Domain(name)) => {
            let name = name.to_ascii_lowercase();
            if name == "localhost" || name.ends_with(".localhost") {
                None
            } else {
                return Ok(());
            }
        }
        Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
        Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
        None => return Ok(()),
    };
    let own_host = ip.is_none_or(|ip| {
        ip.is_unspecified() || ip == listen.ip() || is_loopback_host(&ip.to_string())
    });
    if own_host && u.port_or_known_default() == Some(listen.port()) {
        return Err(invalid(
            "url",
            format!(
                "url points at this sender itself (it listens on {listen}): each delivery would \
                 come back as an event and make more; point it at a receiver"
            ),
        ));
    }
    Ok(())
}

/// Only `localhost` itself among names: the system resolver may ask DNS about other
/// `.localhost` names, which would then be plain http to wherever they point.
fn is_loopback(u: &url::Url) -> bool {
    let host = u.host_str().unwrap_or_default();
    is_loopback_host(host.trim_start_matches('[').trim_end_matches(']'))
}

/// A secret the profile can sign with: not only whitespace (some profiles take any text as
/// the key); a trial signature also refuses a Standard Webhooks `whpk_` public key, which
/// verifies only (`whsk_` secret keys sign `v1a`).
pub fn check_secret(scheme: Scheme, secret: &str) -> Result<(), Error> {
    if secret.trim().is_empty() {
        return Err(invalid(
            "secret",
            "the secret is empty or only whitespace: give one with content, or leave secret out to have one generated",
        ));
    }
    hookproof::Webhook::new(scheme, secret)
        .and_then(|w| w.sign(b"", "msg_check", 0))
        .map(drop)
        .map_err(|e| invalid("secret", e.to_string()))
}

pub fn check_id(field: &str, id: &str) -> Result<(), Error> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!("{field} must be 1-128 letters, digits, `_` or `-`"),
        ))
    }
}

/// At least one pattern; each an event name, `prefix.*` or `*`.
/// An event's type: what providers send in a header too (X-GitHub-Event, X-Vector-Event,
/// ...), so visible ASCII only, as a header value must be; no `*`, which patterns use.
pub fn is_event_type(name: &str) -> bool {
    !name.is_empty() && name.len() <= 200 && name.bytes().all(|b| b.is_ascii_graphic() && b != b'*')
}

pub fn check_event_type(event_type: &str) -> Result<(), Error> {
    if is_event_type(event_type) {
        Ok(())
    } else {
        Err(invalid(
            "type",
            "type must be a non-empty event type of at most 200 visible ASCII characters, without `*` or spaces",
        ))
    }
}

pub fn check_events(events: &[String]) -> Result<(), Error> {
    if events.is_empty() {
        return Err(invalid(
            "events",
            "events must list at least one event type, `prefix.*` or `*`",
        ));
    }
    for (i, e) in events.iter().enumerate() {
        // A pattern is an event type, or one followed by `.*`, or `*`.
        let ok = e == "*" || is_event_type(e.strip_suffix(".*").unwrap_or(e));
        if !ok {
            return Err(invalid(
                &format!("events[{i}]"),
                format!("`{e}` is not an event type, `prefix.*` or `*`"),
            ));
        }
    }
    Ok(())
}

/// Milliseconds per entry, checked.
pub fn parse_retry_schedule(waits: &[Wait]) -> Result<Vec<u64>, Error> {
    if waits.is_empty() || waits.len() > MAX_SCHEDULE_LEN {
        return Err(invalid(
            "retry_schedule",
            format!("retry_schedule must have 1-{MAX_SCHEDULE_LEN} waits (the first is usually 0)"),
        ));
    }
    waits
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let field = format!("retry_schedule[{i}]");
            let d = match w {
                Wait::Seconds(s) => std::time::Duration::try_from_secs_f64(*s)
                    .map_err(|_| format!("{s} is not a number of seconds >= 0")),
                Wait::Duration(s) => parse_duration(s),
            }
            .map_err(|m| invalid(&field, m))?;
            let ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
            if ms > MAX_WAIT_MS {
                return Err(invalid(&field, "a wait is at most 7 days"));
            }
            Ok(ms)
        })
        .collect()
}

/// A probability: a number from 0 to 1.
fn check_probability(field: &str, p: Option<f64>) -> Result<f64, Error> {
    match p {
        None => Ok(0.0),
        Some(p) if (0.0..=1.0).contains(&p) => Ok(p),
        Some(p) => Err(invalid(
            &format!("chaos.{field}"),
            format!("{field} is a probability from 0 to 1, not {p}"),
        )),
    }
}

/// Checks a webhook's `chaos` for its profile.
pub fn check_chaos(req: ChaosRequest, profile: Profile) -> Result<Chaos, Error> {
    let chaos = Chaos {
        duplicate: check_probability("duplicate", req.duplicate)?,
        reorder: req.reorder.unwrap_or(false),
        delay_ms: req.delay_ms,
        forge_signature: check_probability("forge_signature", req.forge_signature)?,
        stale_timestamp: check_probability("stale_timestamp", req.stale_timestamp)?,
        seed: req.seed,
    };
    if let Some([min, max]) = chaos.delay_ms {
        if min > max || max > MAX_DELAY_MS {
            return Err(invalid(
                "chaos.delay_ms",
                format!("delay_ms is [min, max] with min <= max <= {MAX_DELAY_MS} (ms)"),
            ));
        }
    }
    if chaos.stale_timestamp > 0.0 && !profile.scheme().is_timestamped() {
        return Err(invalid(
            "chaos.stale_timestamp",
            format!("the {profile} profile signs no timestamp, so nothing can be stale"),
        ));
    }
    Ok(chaos)
}
