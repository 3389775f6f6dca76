//! AIO5xx: timeouts.

pub mod await_event_without_timeout;
pub mod client_without_timeout;
pub mod network_await_without_timeout;
pub mod timeout_error_not_caught;
#[path = "helpers/timeout_scopes.rs"]
pub(crate) mod timeout_scopes;
pub mod timeout_without_await;
