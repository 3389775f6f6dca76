//! AIO4xx: cancellation and error handling.

pub mod cancel_without_await;
pub mod cancelled_error_swallowed;
pub mod exception_silenced_in_async;
pub(crate) mod helpers;
pub mod jump_in_finally;
pub mod log_without_traceback;
