//! Run-time settings shared by `serve`, `trigger` and the tests.

use std::path::PathBuf;
use std::time::Duration;

/// Where deliveries, webhooks and attempt logs are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbLocation {
    Memory,
    File(PathBuf),
}

/// The Standard Webhooks schedule: the waits before attempts 2, 3, ... (8 attempts in all).
pub const DEFAULT_RETRY_SCHEDULE: [Duration; 7] = [
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(10 * 3600),
];

pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(15);

/// Largest request body the API accepts, by default.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Config {
    pub db: DbLocation,
    /// Multiplies every retry delay, and nothing else: 0.001 turns 5 minutes into 300 ms.
    pub time_scale: f64,
    /// How long one HTTP attempt may take, connection to last byte (not scaled).
    pub attempt_timeout: Duration,
    /// Waits before attempts 2, 3, ...; one more attempt than there are waits.
    pub retry_schedule: Vec<Duration>,
    /// When set, the API (all but `/health` and `/openapi.json`) wants `Authorization: Bearer <token>`.
    pub token: Option<String>,
    pub max_body_bytes: u64,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            db: DbLocation::Memory,
            time_scale: 1.0,
            attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
            retry_schedule: DEFAULT_RETRY_SCHEDULE.to_vec(),
            token: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
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

/// Parses a comma-separated list of durations; empty means no retries.
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
        assert_eq!(parse_schedule(""), Ok(vec![]));
    }
}
