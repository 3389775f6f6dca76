//! AIO6xx: resources, context managers, generators, clients, pools, executors.

pub mod async_generator_not_closed;
pub mod async_with_sync_context_manager;
pub mod client_per_request;
pub mod connection_per_request;
pub(crate) mod context_managers;
pub(crate) mod per_request;
pub mod sync_with_async_context_manager;
pub mod to_thread_with_coroutine_function;
