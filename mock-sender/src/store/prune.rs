//! Pruning: logs, finished deliveries and captures past `--retention` are deleted at
//! start, then every [`interval`].

use std::time::Duration;

use super::Db;
use crate::clock::now_ms;

/// How often logs past `retention` are looked for: hourly, or every half retention when
/// that is shorter (a log then outlives the retention by half of it at most), 1 s at least.
pub fn interval(retention: Duration) -> Duration {
    (retention / 2).clamp(Duration::from_secs(1), Duration::from_secs(3600))
}

/// Deletes logs and captures older than `retention` now, then every [`interval`] (an hour,
/// or half the retention when that is shorter, so a short `--retention` is kept to). Runs
/// until the runtime ends.
pub fn keep_pruning(db: Db, retention: Duration) {
    let retention_ms = i64::try_from(retention.as_millis()).unwrap_or(i64::MAX);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval(retention));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match db.prune(now_ms().saturating_sub(retention_ms)).await {
                Ok((logs, captures)) => {
                    if logs > 0 {
                        tracing::info!(rows = logs, "pruned logs past --retention");
                    }
                    if captures > 0 {
                        tracing::info!(rows = captures, "pruned captures past --retention");
                    }
                }
                Err(e) => tracing::error!(error = %e, "pruning"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prune_interval_is_hourly_or_half_a_short_retention() {
        let secs = |s: u64| Duration::from_secs(s);
        assert_eq!(interval(secs(90 * 86_400)), secs(3600));
        assert_eq!(interval(secs(7200)), secs(3600));
        assert_eq!(interval(secs(600)), secs(300));
        assert_eq!(interval(secs(1)), secs(1));
        assert_eq!(interval(Duration::ZERO), secs(1));
    }
}
