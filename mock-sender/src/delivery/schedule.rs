//! When attempts happen: each profile's default schedule, and `--time-scale`.

use std::time::Duration;

use hookproof::Scheme;

const S: u64 = 1000;
const M: u64 = 60 * S;
const H: u64 = 60 * M;

/// The waits (ms) before attempts 1, 2, ... that a profile's provider uses, as far as it
/// documents them; a webhook's `retry_schedule` replaces it.
pub fn profile_default(scheme: Scheme) -> Vec<u64> {
    match scheme {
        // Vector Pro: five attempts.
        Scheme::Vector => vec![0, 42 * S, 150 * S, 9 * M, 30 * M],
        // Svix's published schedule (the Standard Webhooks spec's example goes on to 14h,
        // 20h, 24h: a webhook's retry_schedule can say so).
        Scheme::Standard | Scheme::Svix => {
            vec![0, 5 * S, 5 * M, 30 * M, 2 * H, 5 * H, 10 * H, 10 * H]
        }
        // Stripe retries with backoff for up to three days.
        Scheme::Stripe => vec![0, M, 5 * M, 30 * M, 2 * H, 6 * H, 12 * H, 24 * H, 24 * H],
        // GitHub does not retry; redeliver by hand (POST /v1/deliveries/{id}/retry).
        Scheme::Github => vec![0],
        // Shopify: 8 retries over about 4 hours.
        Scheme::Shopify => vec![0, 10 * S, 30 * S, M, 5 * M, 15 * M, 30 * M, H, 2 * H],
        // Slack's Events API: 3 retries: at once, after a minute, after 5 minutes.
        Scheme::Slack => vec![0, 0, M, 5 * M],
        // Vercel, generic and anything newer.
        _ => vec![0, 30 * S, 5 * M, 30 * M, 2 * H],
    }
}

/// How long an attempt of a profile may take before it counts as failed, where the
/// provider documents it (Slack: 3 s; Shopify: 5 s; GitHub: 10 s; Svix: 15 s, and
/// Standard Webhooks with it); 30 s for the others. Used with `--provider-timeouts`.
pub fn profile_timeout(scheme: Scheme) -> Duration {
    Duration::from_secs(match scheme {
        Scheme::Slack => 3,
        Scheme::Shopify => 5,
        Scheme::Github => 10,
        Scheme::Standard | Scheme::Svix => 15,
        _ => LONGEST_PROFILE_TIMEOUT.as_secs(),
    })
}

/// The longest [`profile_timeout`].
pub const LONGEST_PROFILE_TIMEOUT: Duration = Duration::from_secs(30);

/// The time (Unix ms) `ms` multiplied by `--time-scale` after `now`. Saturating, both the
/// float-to-int conversion and the sum: a huge scale means "practically never", not a
/// wrap to the past.
pub fn scaled_after(now: i64, ms: u64, scale: f64) -> i64 {
    now.saturating_add((ms as f64 * scale).round() as i64)
}

/// The unscaled wait after attempt `attempt` (1-based) failed, or `None` when it was the
/// last: the schedule's next entry. A delivery retried by hand past its schedule gets no
/// further automatic attempt.
pub fn wait_after(schedule: &[u64], attempt: u32, max_attempts: u32) -> Option<u64> {
    if attempt >= max_attempts {
        return None;
    }
    schedule.get(attempt as usize).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vector_is_five_attempts() {
        let v = profile_default(Scheme::Vector);
        assert_eq!(v, [0, 42_000, 150_000, 540_000, 1_800_000]);
        assert_eq!(wait_after(&v, 1, 5), Some(42_000));
        assert_eq!(wait_after(&v, 4, 5), Some(1_800_000));
        assert_eq!(wait_after(&v, 5, 5), None);
        assert_eq!(
            wait_after(&v, 5, 6),
            None,
            "a manual retry past the schedule"
        );
        assert_eq!(scaled_after(0, 42_000, 0.001), 42);
        assert_eq!(scaled_after(1, 60_000, 1e16), i64::MAX);
        for scheme in Scheme::ALL {
            assert_eq!(profile_default(scheme)[0], 0, "{scheme}: attempt 1 at once");
        }
    }
}
