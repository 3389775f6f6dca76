//! AIO5xx: timeouts.

pub mod timeout_error_not_caught;
