//! Every route in-process with `warp::test::request()`, and the error shape of each failure.

#[path = "../common/mod.rs"]
mod common;

mod errors;
mod events;
mod guards;
mod openapi;
mod overrides;
mod webhooks;
