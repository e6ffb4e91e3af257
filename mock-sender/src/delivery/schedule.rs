//! When attempts happen: each profile's default schedule and timeout, what its provider
//! makes of an answer besides "2xx or retry" (`answer_rule`), and `--time-scale`.

use std::time::Duration;

use super::{payload, Sent};
use crate::profile::Profile;
use crate::store::{DeliveryRecord, Kind, Outcome, WebhookRecord};

const S: u64 = 1000;
const M: u64 = 60 * S;
const H: u64 = 60 * M;

/// The waits (ms) before attempts 1, 2, ... that a profile's provider uses, as far as it
/// documents them; a webhook's `retry_schedule` replaces it.
pub fn profile_default(profile: Profile) -> Vec<u64> {
    match profile {
        // Vector Pro: five attempts.
        Profile::Vector => vec![0, 42 * S, 150 * S, 9 * M, 30 * M],
        // Svix's published schedule (the Standard Webhooks spec's example goes on to 14h,
        // 20h, 24h: a webhook's retry_schedule can say so).
        Profile::Standard | Profile::Svix => {
            vec![0, 5 * S, 5 * M, 30 * M, 2 * H, 5 * H, 10 * H, 10 * H]
        }
        // Stripe retries with backoff for up to three days.
        Profile::Stripe => vec![0, M, 5 * M, 30 * M, 2 * H, 6 * H, 12 * H, 24 * H, 24 * H],
        // GitHub does not retry; redeliver by hand (POST /v1/deliveries/{id}/retry).
        Profile::Github => vec![0],
        // Shopify: 8 retries over about 4 hours.
        Profile::Shopify => vec![0, 10 * S, 30 * S, M, 5 * M, 15 * M, 30 * M, H, 2 * H],
        // Slack's Events API: 3 retries: at once, after a minute, after 5 minutes.
        Profile::Slack => vec![0, 0, M, 5 * M],
        // Vercel, generic, Vector.co (which documents none) and anything newer.
        _ => vec![0, 30 * S, 5 * M, 30 * M, 2 * H],
    }
}

/// How long an attempt of a profile may take before it counts as failed, where the
/// provider documents it (Slack: 3 s; Shopify: 5 s; GitHub: 10 s; Svix: 15 s, and
/// Standard Webhooks with it); 30 s for the others. Used with `--provider-timeouts`.
pub fn profile_timeout(profile: Profile) -> Duration {
    Duration::from_secs(match profile {
        Profile::Slack => 3,
        Profile::Shopify => 5,
        Profile::Github => 10,
        Profile::Standard | Profile::Svix => 15,
        _ => LONGEST_PROFILE_TIMEOUT.as_secs(),
    })
}

/// The longest [`profile_timeout`].
pub const LONGEST_PROFILE_TIMEOUT: Duration = Duration::from_secs(30);

/// What a profile's provider makes of an attempt's answer besides "2xx or retry".
#[derive(Debug, Default, PartialEq, Eq)]
pub struct AnswerRule {
    /// No further attempt: the delivery fails now.
    pub last: bool,
    /// The webhook is to be disabled (Standard Webhooks: 410 Gone).
    pub disable: bool,
    /// The next attempt waits at least this long (unscaled ms): a `Retry-After`.
    pub at_least_ms: u64,
}

/// The answer by which a Standard Webhooks receiver asks for no more deliveries.
const GONE: u16 = 410;
const CHALLENGE_MISSED: &str = "answered 2xx without the challenge: Slack's url_verification \
    must be answered with its challenge (the body's `challenge`, as text or {\"challenge\": ...})";

/// The rule of webhook `w`'s provider for `sent`, the answer to an attempt of `d`; a
/// 2xx that the provider would not take as one becomes a failure in `sent`.
/// - standard (its spec): a 410 Gone disables the endpoint; a `Retry-After` is waited out.
/// - slack: its `url_verification` passes only when the answer carries the challenge, and
///   is not retried.
pub fn answer_rule(w: &WebhookRecord, d: &DeliveryRecord, sent: &mut Sent) -> AnswerRule {
    if w.profile == Profile::Standard {
        let gone = sent.status_code == Some(GONE);
        let retry_after = sent.retry_after.unwrap_or_default().as_millis();
        return AnswerRule {
            last: gone,
            disable: gone,
            at_least_ms: u64::try_from(retry_after).unwrap_or(u64::MAX),
        };
    }
    let handshake = w.kind == Kind::Http
        && w.profile == Profile::Slack
        && sent.outcome == Outcome::Success
        && d.event_type == payload::SLACK_URL_VERIFICATION;
    let answered = |challenge: &str| {
        sent.response_body
            .as_deref()
            .is_some_and(|b| b.contains(challenge))
    };
    // Only a handshake's body is read: not on every attempt.
    match handshake
        .then(|| payload::slack_challenge_in(&d.body))
        .flatten()
    {
        Some(challenge) if !answered(&challenge) => {
            sent.outcome = Outcome::HttpError;
            sent.error = Some(CHALLENGE_MISSED.into());
            AnswerRule {
                last: true,
                ..AnswerRule::default()
            }
        }
        _ => AnswerRule::default(),
    }
}

/// The answers by which a receiver asks its sender to slow down: the Standard Webhooks
/// spec's 429 ("throttle additional requests"), 502 and 504 ("throttle the requests"), and
/// 503, which HTTP pairs with `Retry-After` for the same purpose (RFC 9110, 15.6.4).
const THROTTLING: [u16; 4] = [429, 502, 503, 504];

/// An endpoint's pause after a throttling answer without a usable `Retry-After`: the
/// Standard Webhooks schedule's first retry wait.
pub const DEFAULT_THROTTLE_MS: u64 = 5 * S;

/// The longest pause a `Retry-After` gets, so that a receiver cannot park its queue (a
/// test run's deliveries) for the day `attempt::parse_retry_after` allows.
pub const MAX_THROTTLE_MS: u64 = H;

/// How long an endpoint is paused (unscaled) after a throttling answer, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    pub ms: u64,
    pub source: ThrottleSource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottleSource {
    RetryAfter,
    /// A `Retry-After` past [`MAX_THROTTLE_MS`].
    Capped,
    /// No `Retry-After`, or one that is neither delta-seconds nor an HTTP date.
    Default,
}

/// The pause that an answer of `status` with `retry_after` (parsed) asks for, in every
/// profile: these statuses and `Retry-After` are HTTP's, not one provider's, and a careful
/// sender heeds them whatever envelope it sends. `None` for any other answer, and for a
/// `Retry-After` of 0 (or a date past): the receiver says it is ready now.
pub fn throttle(status: Option<u16>, retry_after: Option<Duration>) -> Option<Throttle> {
    if !THROTTLING.contains(&status?) {
        return None;
    }
    let throttle = match retry_after {
        None => Throttle {
            ms: DEFAULT_THROTTLE_MS,
            source: ThrottleSource::Default,
        },
        Some(wait) => {
            let ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
            Throttle {
                ms: ms.min(MAX_THROTTLE_MS),
                source: if ms > MAX_THROTTLE_MS {
                    ThrottleSource::Capped
                } else {
                    ThrottleSource::RetryAfter
                },
            }
        }
    };
    (throttle.ms > 0).then_some(throttle)
}

impl Throttle {
    /// What the attempt log says of it: `extended` when it set or lengthened the
    /// endpoint's pause (else a longer one was under way), and the real wait when
    /// `--time-scale` changes it.
    pub fn describe(&self, extended: bool, time_scale: f64) -> String {
        let why = match self.source {
            ThrottleSource::RetryAfter => "Retry-After",
            ThrottleSource::Capped => "Retry-After, capped",
            ThrottleSource::Default => "default: no usable Retry-After",
        };
        let scaled = if time_scale == 1.0 {
            String::new()
        } else {
            let ms = u64::try_from(scaled_after(0, self.ms, time_scale)).unwrap_or(0);
            format!("; {} at --time-scale {time_scale}", span(ms))
        };
        let span = span(self.ms);
        if extended {
            format!("endpoint throttled for {span} ({why}{scaled})")
        } else {
            format!(
                "endpoint already throttled for longer than this answer's {span} ({why}{scaled})"
            )
        }
    }
}

/// `ms` for a person: `250 ms`, `5 s`, `2.5 s`.
fn span(ms: u64) -> String {
    if ms < S {
        format!("{ms} ms")
    } else if ms % S == 0 {
        format!("{} s", ms / S)
    } else {
        format!("{:.1} s", ms as f64 / S as f64)
    }
}

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
        let v = profile_default(Profile::Vector);
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
        for profile in Profile::ALL {
            assert_eq!(
                profile_default(profile)[0],
                0,
                "{profile}: attempt 1 at once"
            );
        }
    }

    #[test]
    fn throttling_answers_pause_for_their_retry_after_capped_or_the_default() {
        let secs = |s: u64| Some(Duration::from_secs(s));
        let pause = |status, retry_after| throttle(Some(status), retry_after);
        for status in [429, 502, 503, 504] {
            let t = pause(status, secs(30)).unwrap();
            assert_eq!((t.ms, t.source), (30_000, ThrottleSource::RetryAfter));
        }
        for status in [200, 410, 500, 501] {
            assert_eq!(pause(status, secs(30)), None, "{status}");
        }
        assert_eq!(throttle(None, secs(30)), None, "no answer: nothing to heed");
        let t = pause(503, None).unwrap();
        assert_eq!(
            (t.ms, t.source),
            (DEFAULT_THROTTLE_MS, ThrottleSource::Default)
        );
        let t = pause(429, secs(86_400)).unwrap();
        assert_eq!((t.ms, t.source), (MAX_THROTTLE_MS, ThrottleSource::Capped));
        let t = pause(429, secs(3600)).unwrap();
        assert_eq!(
            t.source,
            ThrottleSource::RetryAfter,
            "the cap itself is no cut"
        );
        assert_eq!(pause(429, secs(0)), None, "ready now");
        let t = pause(429, Some(Duration::from_millis(2500))).unwrap();
        assert_eq!(t.ms, 2500, "an HTTP date is to the millisecond");
    }

    #[test]
    fn a_throttle_says_how_long_why_and_the_real_wait() {
        let t = Throttle {
            ms: 30_000,
            source: ThrottleSource::RetryAfter,
        };
        assert_eq!(
            t.describe(true, 1.0),
            "endpoint throttled for 30 s (Retry-After)"
        );
        assert_eq!(
            t.describe(true, 0.001),
            "endpoint throttled for 30 s (Retry-After; 30 ms at --time-scale 0.001)"
        );
        assert_eq!(
            t.describe(false, 1.0),
            "endpoint already throttled for longer than this answer's 30 s (Retry-After)"
        );
        let t = Throttle {
            ms: 2500,
            source: ThrottleSource::Default,
        };
        assert_eq!(
            t.describe(true, 2.0),
            "endpoint throttled for 2.5 s (default: no usable Retry-After; 5 s at --time-scale 2)"
        );
    }
}
