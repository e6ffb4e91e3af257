//! Deliveries to a real loopback receiver: retries on the scaled schedule, signatures
//! checked with `hookproof`, timeouts, final failure, rotation, restart on the same db.

#[path = "../common/mod.rs"]
mod common;

mod queue;
mod retention;
mod retries;
mod schedule;
mod signing;
