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

/// How `rfc3339` writes an instant: UTC, to the millisecond.
const RFC3339_MS: &[time::format_description::BorrowedFormatItem<'_>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
);

/// `2024-01-02T03:04:05.678Z` from Unix milliseconds (a year past 9999 or before 0 in
/// ISO 8601's expanded form, `+010000-…`; an instant beyond the years ±999999 is the
/// nearest one within them).
pub fn rfc3339(ms: i64) -> String {
    let min = time::PrimitiveDateTime::MIN.assume_utc();
    let max = time::PrimitiveDateTime::MAX.assume_utc();
    let at = time::OffsetDateTime::UNIX_EPOCH
        .checked_add(time::Duration::milliseconds(ms))
        .unwrap_or(if ms < 0 { min } else { max });
    let text = at.format(RFC3339_MS).unwrap_or_default();
    // A year past 9999 or before 0: ISO 8601's expanded form, a sign and six digits, which
    // JavaScript's Date.parse reads.
    match text.split_at_checked(1) {
        Some((sign @ ("+" | "-"), rest)) => {
            let digits = rest.find('-').unwrap_or(6);
            format!("{sign}{}{rest}", "0".repeat(6usize.saturating_sub(digits)))
        }
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_614_265_330_123), "2021-02-25T15:02:10.123Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(rfc3339(253_402_300_799_999), "9999-12-31T23:59:59.999Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(rfc3339(253_402_300_800_000), "+010000-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(-62_198_755_200_000), "-000001-01-01T00:00:00.000Z");
        assert!(rfc3339(i64::MAX).starts_with("+999999-12-31T23:59:59."));
        assert!(rfc3339(i64::MIN).starts_with("-999999-01-01T00:00:00."));
    }

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
