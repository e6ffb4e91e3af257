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

/// `2024-01-02T03:04:05.678Z` from Unix milliseconds.
pub fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    if !(0..=9999).contains(&year) {
        return format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        );
    }
    // Three per delivery in every listing and event answer: digits, not `format!`.
    let mut out = String::with_capacity(24);
    let mut digits = |n: i64, width: u32, then: Option<char>| {
        for p in (0..width).rev() {
            out.push(char::from(b'0' + (n / 10i64.pow(p) % 10) as u8));
        }
        out.extend(then);
    };
    digits(year, 4, Some('-'));
    digits(month, 2, Some('-'));
    digits(day, 2, Some('T'));
    digits(rem / 3600, 2, Some(':'));
    digits(rem % 3600 / 60, 2, Some(':'));
    digits(rem % 60, 2, Some('.'));
    digits(millis, 3, Some('Z'));
    out
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
        assert_eq!(rfc3339(253_402_300_800_000), "10000-01-01T00:00:00.000Z");
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
