//! Run-time settings shared by `serve`, `trigger` and the tests.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Where deliveries, webhooks and attempt logs are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbLocation {
    Memory,
    File(PathBuf),
}

/// Largest request body the API accepts, by default.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 1024 * 1024;

/// Requests on the wire at once to one endpoint, by default.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 8;

/// How long attempt logs (and finished deliveries) are kept, by default: 90 days.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(90 * 86400);

/// What `--memory` keeps of finished deliveries and attempt logs, by default: 256 MiB
/// (~150k deliveries of ~300-byte bodies with one attempt each).
pub const DEFAULT_MEMORY_LIMIT: u64 = 256 * 1024 * 1024;

/// Success means a 2xx within this long (connection to last byte; not scaled), unless
/// `--provider-timeouts`.
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);

/// A request's head, and then its body, must each arrive within this long (`--read-timeout`).
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
pub struct Config {
    pub db: DbLocation,
    /// Multiplies every retry delay, and nothing else: 0.001 turns 5 minutes into 300 ms.
    pub time_scale: f64,
    /// How long one HTTP attempt may take, connection to last byte (not scaled); `None`:
    /// the profile's provider's (`delivery::profile_timeout`, `--provider-timeouts`).
    pub attempt_timeout: Option<Duration>,
    /// Requests on the wire at once to one endpoint.
    pub max_in_flight: usize,
    /// When set, the API (all but `/healthz`, `/openapi.json` and the static files) wants
    /// `Authorization: Bearer <token>`.
    pub token: Option<String>,
    pub max_body_bytes: u64,
    /// A request's body must arrive within this long, else 408 (`--read-timeout`).
    pub body_read_timeout: Duration,
    /// Allow `http://` URLs to hosts other than loopback.
    pub allow_http: bool,
    /// PEM certificate(s) trusted besides the system roots (self-signed test receivers).
    pub ca_cert: Option<PathBuf>,
    /// Attempt logs older than this are deleted (hourly).
    pub retention: Duration,
    /// `DbLocation::Memory`: past about this many bytes of records, the oldest finished
    /// deliveries and attempt logs are dropped (pending deliveries never are).
    pub memory_limit: u64,
    /// Static files from disk instead of the copies built into the binary: the dashboard
    /// and playground (`www/`) and the npm package (`pkg/`, its `src/` and `gen/`).
    pub www_dir: Option<PathBuf>,
    pub pkg_dir: Option<PathBuf>,
    /// Seeds every webhook's chaos RNG (with its id) unless the webhook has its own seed.
    pub chaos_seed: Option<u64>,
    /// The address `serve` listens on (its port chosen), set once bound; `None` in
    /// `trigger` and in-process tests. A webhook may not point at it.
    pub listen: Option<SocketAddr>,
    /// Host names (besides loopback names and IP addresses) a request's `Host` may name:
    /// `--allowed-host`. Lower case, without a port.
    pub allowed_hosts: Vec<String>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            db: DbLocation::Memory,
            time_scale: 1.0,
            attempt_timeout: Some(DEFAULT_ATTEMPT_TIMEOUT),
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            token: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            body_read_timeout: DEFAULT_READ_TIMEOUT,
            allow_http: false,
            ca_cert: None,
            retention: DEFAULT_RETENTION,
            memory_limit: DEFAULT_MEMORY_LIMIT,
            www_dir: None,
            pkg_dir: None,
            chaos_seed: None,
            listen: None,
            allowed_hosts: Vec::new(),
        }
    }
}

/// Parses `500ms`, `5s`, `5m`, `2h`, `1d`; a bare number is seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let value: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration like 500ms, 5s, 5m, 2h"))?;
    let secs = match unit {
        "ms" => value / 1000.0,
        "" | "s" => value,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        "d" => value * 86400.0,
        _ => return Err(format!("unknown unit `{unit}` in `{s}` (ms, s, m, h, d)")),
    };
    Duration::try_from_secs_f64(secs).map_err(|e| format!("`{s}`: {e}"))
}

/// Parses a size: `256MiB`, `1GB`, `512k`, or a bare number of bytes (`bytesize`'s
/// syntax: KB, MB, GB are powers of 1000, KiB, MiB, GiB of 1024).
pub fn parse_size(s: &str) -> Result<u64, String> {
    s.trim()
        .parse::<bytesize::ByteSize>()
        .map(|b| b.as_u64())
        .map_err(|_| format!("`{s}` is not a size like 256MiB, 1GB, 512k"))
}

/// Parses a comma-separated list of durations: the waits before attempts 1, 2, ...
pub fn parse_schedule(s: &str) -> Result<Vec<Duration>, String> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(parse_duration)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("256MiB"), Ok(DEFAULT_MEMORY_LIMIT));
        assert_eq!(parse_size("1GB"), Ok(1_000_000_000));
        assert_eq!(parse_size(" 512 KiB "), Ok(512 * 1024));
        assert_eq!(parse_size("0"), Ok(0));
        assert!(parse_size("-1MB").is_err());
        assert!(parse_size("12 parsecs").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("5"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("0.5s"), Ok(Duration::from_millis(500)));
        assert!(parse_duration("5y").is_err());
        assert!(parse_duration("x").is_err());
        assert_eq!(
            parse_schedule("1s, 2m"),
            Ok(vec![Duration::from_secs(1), Duration::from_secs(120)])
        );
        assert_eq!(parse_duration("2.5m"), Ok(Duration::from_secs(150)));
    }
}
