//! AIO1xx: calls that block the event loop when made directly in async context.

pub mod blocking_database_call;
pub mod blocking_file_io;
pub mod blocking_filesystem_call;
pub mod blocking_http_call;
pub mod blocking_input;
pub mod blocking_network_call;
pub mod blocking_sleep;
pub mod blocking_subprocess;
pub mod blocking_sync_primitive;
pub mod cpu_bound_call;
pub mod helpers;
pub mod nested_event_loop;
pub mod transitive_blocking_call;
