pub mod service_without_signal_handling;
pub mod shutdown_wait_without_timeout;
pub mod wait_on_possibly_empty_set;
