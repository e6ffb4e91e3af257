// The sender bench's fixed settings, shared by its phases and its report.

/** `serve --time-scale`: every wait of a retry schedule, times this. */
export const TIME_SCALE = 0.1;
/** The retry webhook's `retry_schedule` is [0, RETRY_WAIT_S]: attempt 2 one (scaled) second after attempt 1 failed. */
export const RETRY_WAIT_S = 1;
export const SCHEDULED_MS = RETRY_WAIT_S * 1000 * TIME_SCALE;
/** The sender's default `--max-in-flight`, per endpoint. */
export const MAX_IN_FLIGHT = 8;
/** Each event's padding by default (`--pad-bytes`): bodies of ~295 B. */
export const PAD_BYTES = 160;

/** What the report says of the receiver. */
export const RECEIVER =
  "`mock-sender/examples/bench_receiver` (hyper on one thread, 204 at once, one signature in 50 checked with `hookproof`)";
