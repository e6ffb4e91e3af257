//! The sender's clock: Unix milliseconds, as every record keeps its times.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// How long from now until `at_ms` (Unix ms), to the microsecond; zero once past. The
/// delivery timer sleeps this, not whole milliseconds from `now_ms` (which floors the
/// present): that would wake it up to 1 ms after the tick tokio rounds a deadline up to.
pub(crate) fn until(at_ms: i64) -> Duration {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Duration::from_millis(u64::try_from(at_ms).unwrap_or(0)).saturating_sub(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timer_sleeps_until_the_millisecond_not_whole_milliseconds_from_now() {
        assert_eq!(until(now_ms() - 5), Duration::ZERO);
        assert_eq!(until(-1), Duration::ZERO);
        let at = now_ms() + 1000;
        let wait = until(at);
        // Whatever part of the present millisecond has passed is not waited again.
        assert!(wait <= Duration::from_millis(1000), "{wait:?}");
        assert!(wait > Duration::from_millis(990), "{wait:?}");
    }
}
