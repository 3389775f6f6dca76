//! AIO6xx: resources, context managers, generators, clients, pools, executors.

pub mod async_context_manager_protocol;
pub mod async_generator_not_closed;
pub mod async_with_sync_context_manager;
pub mod cleanup_not_in_finally;
pub mod client_per_request;
pub mod connection_per_request;
pub mod context_manager_decorator_mismatch;
#[path = "helpers/context_managers.rs"]
pub(crate) mod context_managers;
pub mod executor_per_call;
pub mod exit_swallows_exceptions;
#[path = "helpers/per_request.rs"]
pub(crate) mod per_request;
#[path = "helpers/resource_helpers.rs"]
pub(crate) mod resource_helpers;
pub mod sync_lock_across_await;
pub mod sync_with_async_context_manager;
pub mod to_thread_with_coroutine_function;
pub mod unclosed_client;
pub mod yield_in_context_manager_in_async_generator;
