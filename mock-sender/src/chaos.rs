//! Chaos for receivers: a webhook's optional `chaos` makes the sender misbehave the way
//! real providers (and attackers) do, so a receiver's idempotency, ordering and
//! verification get tested:
//!
//! - `duplicate: p`: after an attempt, the same signed request (same delivery id, same
//!   signature, same bytes) is sent again with probability `p`.
//! - `forge_signature: p`: after an attempt, the same body and headers signed with a wrong
//!   key, with probability `p`. It must be rejected.
//! - `stale_timestamp: p`: after an attempt, a correctly signed copy with a timestamp
//!   [`STALE_SECS`] old (a replay past the usual 5 min tolerance), with probability `p`;
//!   timestamped profiles only. It must be rejected.
//! - `delay_ms: [min, max]`: every attempt waits a random `min..=max` ms (real time, not
//!   scaled by `--time-scale`) before it goes out, in the order the deliveries were made
//!   (release times of one endpoint never go backwards).
//! - `reorder: true`: the delay is drawn for each attempt independently (within
//!   `delay_ms`, [`DEFAULT_REORDER_MS`] when not given), so deliveries made within that
//!   window overtake each other.
//!
//! These extra requests are logged as attempts of the delivery, numbered like the attempt
//! they follow, with `chaos` (`duplicate`, `forged`, `stale`), `expect` (`accept`,
//! `reject`) and `receiver_accepted_bad`; they never change the delivery (its status, its
//! attempt count, its retries). Draws come from a per-webhook RNG seeded by `chaos.seed`,
//! else by `--chaos-seed` and the webhook id, else at random.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// How old a stale chaos request's timestamp is: twice the usual 5 min tolerance.
pub const STALE_SECS: i64 = 600;
/// The spread of `reorder` when `delay_ms` is not given.
pub const DEFAULT_REORDER_MS: [u64; 2] = [0, 1000];
/// The longest `delay_ms` accepted.
pub const MAX_DELAY_MS: u64 = 60_000;

/// A webhook's chaos settings, as stored and as the API shows them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Chaos {
    #[serde(default)]
    pub duplicate: f64,
    #[serde(default)]
    pub reorder: bool,
    #[serde(default)]
    pub delay_ms: Option<[u64; 2]>,
    #[serde(default)]
    pub forge_signature: f64,
    #[serde(default)]
    pub stale_timestamp: f64,
    #[serde(default)]
    pub seed: Option<u64>,
}

impl Chaos {
    /// The range each attempt's delay is drawn from, if any.
    pub fn delay_range(&self) -> Option<[u64; 2]> {
        match (self.delay_ms, self.reorder) {
            (Some(range), _) => Some(range),
            (None, true) => Some(DEFAULT_REORDER_MS),
            (None, false) => None,
        }
    }

    /// Whether anything is sent besides the real attempts.
    pub fn sends_extra(&self) -> bool {
        self.duplicate > 0.0 || self.forge_signature > 0.0 || self.stale_timestamp > 0.0
    }
}

/// Which kind of extra request.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Duplicate,
    Forged,
    Stale,
}

impl Kind {
    /// What a correct receiver answers.
    pub fn expect(self) -> Expect {
        match self {
            Kind::Duplicate => Expect::Accept,
            Kind::Forged | Kind::Stale => Expect::Reject,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// 2xx (a duplicate: answer it, process it once).
    Accept,
    /// Non-2xx: it must be rejected.
    Reject,
}

/// What an attempt log says about an extra chaos request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Sent {
    pub kind: Kind,
    pub expect: Expect,
    /// A request that must be rejected was answered 2xx: the receiver is at fault.
    pub receiver_accepted_bad: bool,
}

/// The RNG of one webhook's chaos.
pub fn rng(chaos: &Chaos, global_seed: Option<u64>, webhook_id: &str) -> StdRng {
    let seed = chaos.seed.or_else(|| {
        // FNV-1a of the id: stable across Rust versions, unlike DefaultHasher.
        global_seed.map(|s| {
            s ^ webhook_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            })
        })
    });
    match seed {
        Some(s) => StdRng::seed_from_u64(s),
        None => StdRng::from_entropy(),
    }
}

/// True with probability `p` (never panics: `p` outside 0..=1 is clamped).
pub fn chance(rng: &mut StdRng, p: f64) -> bool {
    p > 0.0 && rng.gen::<f64>() < p
}
