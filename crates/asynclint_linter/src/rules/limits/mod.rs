//! AIO5xx: timeouts, limits, backpressure, retries.

pub mod acquire_without_release;
pub mod busy_wait_loop;
pub mod retry_without_backoff;
pub mod unbounded_fan_out;
pub mod unbounded_queue;
pub mod useless_semaphore;
