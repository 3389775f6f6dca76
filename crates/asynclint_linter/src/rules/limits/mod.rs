//! AIO5xx: timeouts, limits, backpressure, retries.

pub mod unbounded_fan_out;
