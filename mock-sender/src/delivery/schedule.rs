//! When the next attempt happens.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct RetrySchedule {
    delays: Vec<Duration>,
    scale: f64,
}

impl RetrySchedule {
    pub fn new(delays: Vec<Duration>, scale: f64) -> RetrySchedule {
        RetrySchedule { delays, scale }
    }

    /// Attempts a new delivery gets: the first, then one per delay.
    pub fn max_attempts(&self) -> u32 {
        u32::try_from(self.delays.len()).unwrap_or(u32::MAX - 1) + 1
    }

    /// The (scaled) wait after failed attempt `attempt` (1-based), or `None` when it was
    /// the last. A delivery retried by hand past the schedule reuses its last delay.
    pub fn delay_after(&self, attempt: u32, max_attempts: u32) -> Option<Duration> {
        if attempt >= max_attempts {
            return None;
        }
        let i = (attempt as usize)
            .saturating_sub(1)
            .min(self.delays.len().checked_sub(1)?);
        Some(self.delays[i].mul_f64(self.scale))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_delays_then_none() {
        let s = RetrySchedule::new(
            vec![Duration::from_secs(5), Duration::from_secs(300)],
            0.001,
        );
        assert_eq!(s.max_attempts(), 3);
        assert_eq!(s.delay_after(1, 3), Some(Duration::from_millis(5)));
        assert_eq!(s.delay_after(2, 3), Some(Duration::from_millis(300)));
        assert_eq!(s.delay_after(3, 3), None);
        assert_eq!(s.delay_after(3, 5), Some(Duration::from_millis(300)));
        assert_eq!(RetrySchedule::new(vec![], 1.0).delay_after(1, 2), None);
    }
}
