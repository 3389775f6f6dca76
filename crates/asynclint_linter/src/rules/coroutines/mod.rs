pub mod async_function_returns_coroutine;
pub mod async_iteration_mismatch;
pub mod await_non_awaitable;
pub mod coroutine_assigned_never_awaited;
pub mod coroutine_in_boolean_context;
pub(crate) mod helpers;
pub mod unawaited_coroutine;
